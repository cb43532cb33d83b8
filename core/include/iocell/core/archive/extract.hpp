// Archive extraction for releases (fetch) and packages (import): libarchive
// with the three SECURE flags, decoding on one thread and creating files on
// another (xz decoding and file creation each take about half of the time;
// overlapping them is what makes a fetch faster than curl + tar in sequence).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace iocell::core {

struct ExtractPolicy {
  /// Character and block device nodes. Only a release (trusted, verified
  /// against its MANIFEST) may create them; a package or an imported jail
  /// must not plant a raw disk or /dev/mem node in a tree a jail can read.
  bool allow_devices = false;
  /// File flags (chflags: schg, uappnd, ...). On a Linux host libarchive maps
  /// schg to the immutable attribute, which would make the tree undeletable
  /// by plain tools, so the release pipeline turns this off there.
  bool file_flags = true;
  /// ACLs and extended attributes.
  bool acls_xattrs = true;

  static ExtractPolicy release() { return ExtractPolicy{true, true, true}; }
  static ExtractPolicy package() { return ExtractPolicy{false, true, true}; }
};

struct ExtractStats {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;  ///< file data written
  /// What libarchive could not restore but did not refuse (an ACL the
  /// filesystem does not support, ...); at most 20 kept.
  std::vector<std::string> warnings;
};

/// A refused or unreadable archive. The message names the archive entry
/// when one is at fault ("refusing archive entry '../x': ...").
class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Pull-mode input for extract_archive.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Fills up to `len` bytes; returns 0 at the end. Throws on failure.
  virtual std::size_t read(char* buf, std::size_t len) = 0;
};

/// Extracts an archive (tar, compressed with xz, gzip, bzip2 or zstd) into
/// `dest`, which must exist. Entries with "..", absolute paths, or a path
/// through a symbolic link are refused, and so are device nodes unless the
/// policy allows them; the first refusal stops the extraction with an
/// ArchiveError naming the entry. Owners (numeric: the tree's own passwd
/// decides names), modes with setuid bits, times, ACLs, xattrs and file flags
/// are kept.
ExtractStats extract_archive(const std::filesystem::path& archive, const std::filesystem::path& dest,
                             const ExtractPolicy& policy);
ExtractStats extract_archive(ByteSource& source, const std::filesystem::path& dest, const ExtractPolicy& policy);

/// Push-mode extraction for data that arrives in pieces (a download): the
/// producer pushes bytes while a decoder thread and a writer thread work
/// behind bounded buffers.
class StreamExtractor {
 public:
  StreamExtractor(std::filesystem::path dest, ExtractPolicy policy);
  /// Aborts an unfinished extraction and joins the threads.
  ~StreamExtractor();
  StreamExtractor(const StreamExtractor&) = delete;
  StreamExtractor& operator=(const StreamExtractor&) = delete;

  /// Blocks while the buffer is full. Returns false once the extraction has
  /// failed: later bytes are dropped (the caller may still download to the
  /// end to check a digest).
  bool push(const char* data, std::size_t len);
  /// End of input: waits until every file is written. Throws the
  /// extraction's error.
  ExtractStats finish();
  /// Stops at once; finish() then throws.
  void abort();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace iocell::core
