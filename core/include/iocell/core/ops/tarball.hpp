// Writing a directory tree as a tar.xz (packages and exports): libarchive,
// pax format, entries named "./path", numeric owners only (the tree's own
// passwd decides names). The walk goes by directory descriptors and never
// follows a symbolic link: links are stored as links.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace iocell::core {

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

/// Writes the content of `dir` to `out` (a temporary name next to it, then
/// renamed, so a failure leaves no partial archive). Throws naming the entry
/// at fault.
TarStats write_tar_xz(const std::filesystem::path& dir, const std::filesystem::path& out, const TarOptions& opts = {});

/// Writes "<sha256 hex>\n" of `file` to `checksum_file` and returns the hex.
std::string write_checksum(const std::filesystem::path& file, const std::filesystem::path& checksum_file);

/// The digest a checksum file holds: its first word, 64 hex digits, lower
/// case ("sha256 -q" and "sha256sum" formats). Throws naming the file.
std::string read_checksum(const std::filesystem::path& checksum_file);

}  // namespace iocell::core
