// Layout from btrfs-progs common/send-stream.c and kernel fs/btrfs/send.h.
#include "btrfs_stream.hpp"

#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace iocell::plugins::btrfs {
namespace {

constexpr char kMagic[] = "btrfs-stream";  // 13 bytes with its NUL
constexpr std::size_t kStreamHeader = sizeof kMagic + 4;
constexpr std::size_t kCmdHeader = 10;  // le32 length, le16 command, le32 crc
// An honest command carries at most a few pages of data.
constexpr std::uint32_t kMaxCommand = 1u << 24;

enum Cmd : std::uint16_t { kSubvol = 1, kSnapshot = 2, kSymlink = 8, kRename = 9, kLink = 10, kClone = 16, kEnd = 21 };
enum Attr : std::uint16_t { kUuid = 1, kPath = 15, kPathTo = 16, kPathLink = 17, kData = 19, kCloneUuid = 20, kClonePath = 22 };

constexpr auto kCrcTable = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}();

std::uint32_t le32(const unsigned char* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24; }
std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }

bool read_full(int fd, unsigned char* buf, std::size_t len) {
  std::size_t got = 0;
  while (got < len) {
    const ssize_t n = ::read(fd, buf + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("cannot read the btrfs stream: ") + std::strerror(errno));
    if (n == 0) return got == 0 ? false : throw std::runtime_error("the btrfs stream ends inside a command");
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// Relative to the received subvolume, never above it.
void check_path(std::string_view path, const char* what) {
  if (!path.empty() && path.front() == '/')
    throw std::runtime_error("the btrfs stream names an absolute " + std::string(what) + " '" + std::string(path) + "'");
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..")
      throw std::runtime_error("the btrfs stream names " + std::string(what) + " '" + std::string(path) +
                               "', which leaves the received subvolume");
    start = end + 1;
  }
}

}  // namespace

std::uint32_t stream_crc32c(std::uint32_t crc, const unsigned char* data, std::size_t len) {
  for (std::size_t i = 0; i < len; ++i) crc = kCrcTable[(crc ^ data[i]) & 0xffu] ^ (crc >> 8);
  return crc;
}

std::string check_send_stream(int fd) { return check_stream(fd, false).subvolume; }

StreamFacts check_stream(int fd, bool allow_increment) {
  unsigned char head[kStreamHeader];
  // Anything shorter than the header is no stream either, not a cut one.
  const ssize_t got = ::read(fd, head, sizeof head);
  if (got != static_cast<ssize_t>(sizeof head) || std::memcmp(head, kMagic, sizeof kMagic) != 0)
    throw std::runtime_error("not a btrfs send stream (no btrfs-stream header)");
  const std::uint32_t version = le32(head + sizeof kMagic);
  if (version < 1 || version > 3) throw std::runtime_error("btrfs send stream version " + std::to_string(version) + " is not 1, 2 or 3");
  std::string subvol, subvol_uuid, parent_uuid;
  bool increment = false;
  std::vector<unsigned char> cmd;
  for (std::size_t number = 0;; ++number) {
    unsigned char hdr[kCmdHeader];
    if (!read_full(fd, hdr, sizeof hdr)) break;
    const std::uint32_t len = le32(hdr);
    const std::uint16_t type = le16(hdr + 4);
    if (len > kMaxCommand) throw std::runtime_error("btrfs stream command " + std::to_string(number) + " claims " + std::to_string(len) + " bytes");
    cmd.assign(hdr, hdr + sizeof hdr);
    cmd.resize(sizeof hdr + len);
    if (!read_full(fd, cmd.data() + sizeof hdr, len) && len != 0) throw std::runtime_error("the btrfs stream ends inside a command");
    std::memset(cmd.data() + 6, 0, 4);
    if (stream_crc32c(0, cmd.data(), cmd.size()) != le32(hdr + 6))
      throw std::runtime_error("btrfs stream command " + std::to_string(number) + " fails its checksum");
    if (type == kEnd) break;
    if (type == kSnapshot && !allow_increment)
      throw std::runtime_error("the btrfs stream is incremental (a snapshot of a parent subvolume); only a full stream is imported");
    const bool opens = type == kSubvol || type == kSnapshot;
    if (opens != (number == 0))
      throw std::runtime_error(number == 0 ? "the btrfs stream does not start with its subvolume" : "the btrfs stream holds more than one subvolume");
    std::string clone_uuid;
    for (std::size_t at = kCmdHeader; at < cmd.size();) {
      if (cmd.size() - at < 2) throw std::runtime_error("btrfs stream command " + std::to_string(number) + " is truncated");
      const std::uint16_t attr = le16(cmd.data() + at);
      std::size_t alen;
      if (attr == kData && version >= 2) {
        alen = cmd.size() - at - 2;  // from version 2 the data runs to the end of the command
        at += 2;
      } else {
        if (cmd.size() - at < 4) throw std::runtime_error("btrfs stream command " + std::to_string(number) + " is truncated");
        alen = le16(cmd.data() + at + 2);
        at += 4;
      }
      if (cmd.size() - at < alen) throw std::runtime_error("btrfs stream command " + std::to_string(number) + " is truncated");
      const std::string_view value(reinterpret_cast<const char*>(cmd.data() + at), alen);
      at += alen;
      if (opens && attr == kPath) subvol.assign(value);
      else if (opens && attr == kUuid) subvol_uuid.assign(value);
      else if (type == kSnapshot && attr == kCloneUuid) parent_uuid.assign(value);
      else if (attr == kPath || attr == kPathTo || attr == kClonePath || (attr == kPathLink && type != kSymlink))
        check_path(value, attr == kPathLink && type == kLink ? "a hard link to" : "the path");
      else if (attr == kCloneUuid) clone_uuid.assign(value);
    }
    if (type == kSnapshot) increment = true;
    if (opens && (subvol.empty() || subvol.find('/') != std::string::npos || subvol == "." || subvol == ".."))
      throw std::runtime_error("the btrfs stream's subvolume is named '" + subvol + "', not a plain name");
    // An increment may also clone from its parent, the snapshot it is
    // applied to; nothing else.
    if (type == kClone && clone_uuid != subvol_uuid && (!increment || clone_uuid != parent_uuid))
      throw std::runtime_error(increment ? "the btrfs stream clones data from a subvolume other than itself and its parent"
                                         : "the btrfs stream clones data from another subvolume; only a self-contained stream is imported");
  }
  if (subvol.empty()) throw std::runtime_error("the btrfs stream creates no subvolume");
  return {subvol, increment};
}

namespace {

constexpr std::string_view kTreeMagic = "iocell-btrfs-tree 1\n";
// A jail has a handful of datasets; a header is a few lines.
constexpr std::size_t kMaxPlaces = 64;
constexpr std::size_t kMaxHeader = 16384;

bool inside(const std::string& place, const std::string& parent) {
  return parent == "." || (place.size() > parent.size() && place.compare(0, parent.size(), parent) == 0 && place[parent.size()] == '/');
}

void check_place(const std::string& place) {
  if (place.empty() || place.front() == '/' || place.back() == '/')
    throw std::runtime_error("the stream's header names the place '" + place + "', not a relative path");
  for (std::size_t start = 0; start <= place.size();) {
    std::size_t end = place.find('/', start);
    if (end == std::string::npos) end = place.size();
    const std::string_view part(place.data() + start, end - start);
    if (part.empty() || part == "." || part == "..")
      throw std::runtime_error("the stream's header names the place '" + place + "', which is not a plain path below the dataset");
    for (char c : part)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':'))
        throw std::runtime_error("the stream's header names the place '" + place + "' with a character other than A-Z a-z 0-9 _ - . :");
    start = end + 1;
  }
}

}  // namespace

std::string tree_header(const std::vector<std::string>& places) {
  std::string out(kTreeMagic);
  for (const auto& p : places) out += p + "\n";
  return out + "\n";
}

std::vector<std::string> read_tree_header(int fd) {
  const off_t start = ::lseek(fd, 0, SEEK_CUR);
  char magic[kTreeMagic.size()];
  const ssize_t got = ::read(fd, magic, sizeof magic);
  if (got != static_cast<ssize_t>(sizeof magic) || std::string_view(magic, sizeof magic) != kTreeMagic) {
    if (::lseek(fd, start, SEEK_SET) != start) throw std::runtime_error("cannot rewind the btrfs stream");
    return {"."};
  }
  std::vector<std::string> places;
  std::string line;
  for (std::size_t used = kTreeMagic.size();; ++used) {
    char c;
    if (used > kMaxHeader || ::read(fd, &c, 1) != 1) throw std::runtime_error("the stream's header does not end");
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.empty()) break;
    if (places.size() == kMaxPlaces) throw std::runtime_error("the stream's header names more than 64 subvolumes");
    places.push_back(std::move(line));
    line.clear();
  }
  if (places.empty() || places.front() != ".") throw std::runtime_error("the stream's header does not start with the dataset itself ('.')");
  for (std::size_t i = 1; i < places.size(); ++i) {
    check_place(places[i]);
    for (std::size_t j = 0; j < i; ++j) {
      if (places[j] == places[i]) throw std::runtime_error("the stream's header names '" + places[i] + "' twice");
      if (j > 0 && inside(places[j], places[i]))
        throw std::runtime_error("the stream's header names '" + places[j] + "' before '" + places[i] + "', which holds it");
    }
  }
  return places;
}

}  // namespace iocell::plugins::btrfs
