// The MANIFEST of a FreeBSD release directory (release/scripts/make-manifest.sh):
// one line per distribution set, 6 tab-separated fields
//   FILE  SHA256  NFILES  DISTNAME  "DESCRIPTION"  on|off
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iocell::core {

struct ManifestEntry {
  std::string file;         ///< "base.txz"
  std::string sha256;       ///< 64 lower-case hex digits
  std::uint64_t nfiles = 0;  ///< entries in the archive (tar tvf line count)
  std::string distname;     ///< "base", "base_dbg"
  std::string description;  ///< without the surrounding quotes
  bool default_on = false;  ///< the installer's default selection
};

class Manifest {
 public:
  /// Throws std::runtime_error naming `origin` and the line for anything that
  /// is not a well-formed MANIFEST (wrong field count, a bad digest, a file
  /// name with a '/').
  static Manifest parse(const std::string& text, const std::string& origin);

  const std::vector<ManifestEntry>& entries() const { return m_entries; }
  const ManifestEntry* find(const std::string& file) const;

 private:
  std::vector<ManifestEntry> m_entries;
};

}  // namespace iocell::core
