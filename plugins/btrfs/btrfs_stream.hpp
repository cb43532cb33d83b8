// The check of an untrusted btrfs send stream before `btrfs receive` sees
// it: its names come from whoever made the file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iocell::plugins::btrfs {

/// CRC-32C as the send stream uses it (seed 0, no final inversion).
std::uint32_t stream_crc32c(std::uint32_t crc, const unsigned char* data, std::size_t len);

/// Reads the whole stream from `fd` (from its current offset) and returns the
/// name of the one subvolume it creates. Throws std::runtime_error naming
/// the first offence: not a send stream, a bad checksum, a snapshot of a
/// parent (an incremental stream), more than one subvolume, a path that is
/// absolute or has a ".." component (it would land outside the received
/// subvolume), or a clone from another subvolume (another jail's data).
std::string check_send_stream(int fd);

struct StreamFacts {
  std::string subvolume;   ///< the name of the subvolume it creates
  bool increment = false;  ///< a snapshot of a parent subvolume (btrfs send -p)
};
/// check_send_stream, and with allow_increment also an incremental stream,
/// which may clone from its parent besides itself.
StreamFacts check_stream(int fd, bool allow_increment);

/// A dataset with nested subvolumes (a jail's home and its root) travels
/// as this header, naming each subvolume's place below the dataset ("."
/// for the dataset itself, parents first), followed by one btrfs send
/// stream per subvolume in that order. A dataset without nested subvolumes
/// travels as a plain send stream, as `btrfs send` writes it.
std::string tree_header(const std::vector<std::string>& places);

/// Reads a tree header at `fd`'s offset and returns the places it names,
/// each checked (relative, no "." or ".." component, none twice, "." first,
/// a parent before what lies in it); returns {"."} and leaves the offset
/// where it was when the stream is a plain send stream.
std::vector<std::string> read_tree_header(int fd);

}  // namespace iocell::plugins::btrfs
