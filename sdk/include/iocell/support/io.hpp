// Small POSIX helpers the core and the plugins share: errors that carry
// errno, writes that survive EINTR and short counts, whole-file reads.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace iocell::support {

/// "what: strerror(errno)".
inline std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

/// Writes all of `data`, retrying on EINTR and short writes. False (errno
/// set) on error.
inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Appends everything left to read from `fd` to `out`, retrying on EINTR.
/// False (errno set) on error.
inline bool read_all(int fd, std::string& out) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

/// The whole content of a file in one read loop (no streambuf), or nullopt
/// with errno set (ENOENT when it does not exist).
inline std::optional<std::string> slurp(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  const bool ok = read_all(fd, out);
  const int err = errno;
  ::close(fd);
  if (!ok) {
    errno = err;
    return std::nullopt;
  }
  return out;
}

}  // namespace iocell::support
