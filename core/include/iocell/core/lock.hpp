// flock(2)-based locks: one per jail, one per release, one for the inventory.
// The kernel drops them when the process dies, so a kill -9 never leaves a
// stale lock behind.
#pragma once

#include <filesystem>
#include <string>

namespace iocell::core {

class FileLock {
 public:
  /// Blocks until the lock is held. `what` names it in messages.
  FileLock(const std::filesystem::path& file, const std::string& what);
  /// Non-blocking: check held() afterwards.
  static FileLock try_lock(const std::filesystem::path& file, const std::string& what);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();
  bool held() const { return m_fd >= 0; }

 private:
  FileLock() = default;
  int m_fd = -1;
};

}  // namespace iocell::core
