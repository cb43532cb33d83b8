#include <iocell/core/lock.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace iocell::core {

namespace {
int open_lock_file(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("cannot open lock " + file.string() + ": " + std::strerror(errno));
  return fd;
}
}  // namespace

FileLock::FileLock(const std::filesystem::path& file, const std::string& what) {
  m_fd = open_lock_file(file);
  while (::flock(m_fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    ::close(m_fd);
    m_fd = -1;
    throw std::runtime_error("cannot lock " + what + ": " + std::strerror(errno));
  }
}

FileLock FileLock::try_lock(const std::filesystem::path& file, const std::string&) {
  FileLock lock;
  int fd = open_lock_file(file);
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) lock.m_fd = fd;
  else ::close(fd);
  return lock;
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);
}

}  // namespace iocell::core
