// Archivers: extract releases, packages and imported jails, and write tar.xz
// images. A component of its own so that a compression library and its
// dependencies (libarchive pulls in xz, zstd, bzip2, nettle, libxml2, ICU)
// are loaded by the commands that read or write an archive, and not by
// every `iocell exec`.
#pragma once

#include <iocell/sdk/export.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace iocell::sdk {

struct ExtractPolicy {
  /// Character and block device nodes. No archive iocell extracts needs
  /// them (devfs or the runtime provides a jail's /dev; FreeBSD's base.txz
  /// carries none), and a raw disk or /dev/mem node planted in a release, a
  /// package or an imported jail would be open to whoever can read the tree.
  bool allow_devices = false;
  /// File flags (chflags: schg, uappnd, ...). On a Linux host libarchive maps
  /// schg to the immutable attribute, which would make the tree undeletable
  /// by plain tools, so the release pipeline turns this off there.
  bool file_flags = true;
  /// ACLs and extended attributes.
  bool acls_xattrs = true;

  /// The most an archive may expand to: file data plus 512 bytes an entry
  /// (a bomb of empty files costs too). 0: no limit. An untrusted archive
  /// is held to what its manifest declares and to the target's free space.
  std::uint64_t max_bytes = 0;
  /// Where max_bytes comes from, for the refusal ("the manifest declares 1 MiB").
  std::string max_bytes_reason;

  /// Asked for every entry, with its path as the archive spells it, before
  /// any check or write: true leaves the entry (and its data) out, for the
  /// caller to act on itself. An OCI layer's whiteouts (".wh.NAME") are not
  /// files but deletions of files in the layers below. Called on the
  /// decoding thread; an exception it throws stops the extraction.
  std::function<bool(const std::string& path)> skip;

  static ExtractPolicy release() { return ExtractPolicy{false, true, true, 0, {}, {}}; }
  static ExtractPolicy package() { return ExtractPolicy{false, true, true, 0, {}, {}}; }
};

struct ExtractStats {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;  ///< file data written
  /// What could not be restored but was not refused (an ACL the filesystem
  /// does not support, ...); at most 20 kept.
  std::vector<std::string> warnings;
};

/// A refused or unreadable archive. The message names the archive entry
/// when one is at fault ("refusing archive entry '../x': ...").
class IOCELL_SDK_EXPORT ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Pull-mode input for Archiver::extract.
class IOCELL_SDK_EXPORT ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Fills up to `len` bytes; returns 0 at the end. Throws on failure.
  virtual std::size_t read(char* buf, std::size_t len) = 0;
};

/// Push-mode extraction for data that arrives in pieces (a download): the
/// producer pushes bytes while the archiver decodes and writes behind
/// bounded buffers. Destroying an unfinished one aborts it.
class IOCELL_SDK_EXPORT StreamExtractor {
 public:
  virtual ~StreamExtractor() = default;
  /// Blocks while the buffer is full. Returns false once the extraction has
  /// failed: later bytes are dropped (the caller may still download to the
  /// end to check a digest).
  virtual bool push(const char* data, std::size_t len) = 0;
  /// End of input: waits until every file is written. Throws the
  /// extraction's error.
  virtual ExtractStats finish() = 0;
  /// Stops at once; finish() then throws.
  virtual void abort() = 0;
};

struct TarOptions {
  enum class Devices { Refuse, Skip };
  /// Character and block devices: a package must not carry any; a whole jail
  /// may have a few in /dev that its runtime recreates anyway.
  Devices devices = Devices::Refuse;
  /// Enter mount points below the top (a stopped basejail's attached
  /// release). Off: a mount point is stored as an empty directory.
  bool cross_mounts = false;
  /// An entry "." for the top directory itself: its owner, mode and times
  /// (an export's root). A package laid over a jail leaves the root alone.
  bool top_entry = true;
  /// Extended attributes whose name starts with one of these are left out
  /// (overlayfs keeps its own bookkeeping in trusted.overlay.*).
  std::vector<std::string> drop_xattr_prefixes = {"trusted.overlay."};
};

struct TarStats {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;  ///< file data before compression
  std::vector<std::string> skipped;  ///< what was left out, and why
};

class IOCELL_SDK_EXPORT Archiver {
 public:
  virtual ~Archiver() = default;
  virtual std::string name() const = 0;

  /// Extracts an archive (tar, compressed with xz, gzip, bzip2 or zstd) into
  /// `dest`, which must exist. Entries with "..", absolute paths, or a path
  /// through a symbolic link are refused, and so are device nodes unless the
  /// policy allows them; the first refusal stops the extraction with an
  /// ArchiveError naming the entry. Owners (numeric: the tree's own passwd
  /// decides names), modes with setuid bits, times, ACLs, xattrs and file
  /// flags are kept.
  virtual ExtractStats extract(const std::filesystem::path& archive, const std::filesystem::path& dest,
                               const ExtractPolicy& policy) = 0;
  virtual ExtractStats extract(ByteSource& source, const std::filesystem::path& dest, const ExtractPolicy& policy) = 0;
  /// Starts a push-mode extraction into `dest`.
  virtual std::unique_ptr<StreamExtractor> stream_extractor(const std::filesystem::path& dest,
                                                            const ExtractPolicy& policy) = 0;

  /// Writes the content of `dir` to `out` as a pax tar compressed with xz,
  /// entries named "./path", numeric owners, never following a symbolic
  /// link (links are stored as links). Written under a temporary name next
  /// to `out`, flushed, then renamed: a failure leaves no partial archive.
  /// Throws naming the entry at fault.
  virtual TarStats write_tar_xz(const std::filesystem::path& dir, const std::filesystem::path& out,
                                const TarOptions& opts) = 0;
};

}  // namespace iocell::sdk
