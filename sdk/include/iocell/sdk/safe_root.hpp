// Host-side file operations under a jail root that never follow a symlink
// the jail planted. Every component below the root is opened with
// O_NOFOLLOW from the previous directory's descriptor; ".." and absolute
// components are refused; files are written to a fresh temporary name and
// renamed over the target, so a planted symlink at the target is replaced,
// never followed.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <iocell/sdk/temp_names.hpp>
#include <iocell/sdk/random.hpp>

namespace iocell::sdk {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return m_fd; }
  explicit operator bool() const { return m_fd >= 0; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }

 private:
  int m_fd = -1;
};

class SafeRoot {
 public:
  explicit SafeRoot(std::filesystem::path root) : m_root(std::move(root)) {
    m_fd = UniqueFd(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!m_fd) throw error("cannot open jail root", m_root);
  }

  const std::filesystem::path& path() const { return m_root; }

  /// Opens the directory at `rel` (relative to the root), creating missing
  /// components with `mode` when `create` is set.
  UniqueFd open_dir(const std::filesystem::path& rel, bool create = false, mode_t mode = 0755) const {
    UniqueFd dir(::dup(m_fd.get()));
    for (const auto& part : components(rel)) {
      int next = ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create) {
        if (::mkdirat(dir.get(), part.c_str(), mode) != 0 && errno != EEXIST) throw error("cannot create directory", rel);
        next = ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (next < 0) {
        if (errno == ELOOP || errno == ENOTDIR) throw error("refusing to follow a symbolic link or non-directory at", rel);
        throw error("cannot open directory", rel);
      }
      dir = UniqueFd(next);
    }
    return dir;
  }

  /// Atomically replaces the file at `rel` with `content`. The parent
  /// directories are created (0755) when missing. With `flush` off the data
  /// is not waited for: a crash may then leave the old file or an empty one,
  /// which only a caller that can lose the old content may accept.
  void write_file(const std::filesystem::path& rel, const std::string& content, mode_t mode = 0644,
                  bool flush = true) const {
    auto [dir, name] = parent_of(rel, true);
    std::string tmp = temp_names::file_tmp(name);
    UniqueFd out(::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!out) throw error("cannot create", rel);
    const char* p = content.data();
    size_t left = content.size();
    while (left > 0) {
      ssize_t n = ::write(out.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::unlinkat(dir.get(), tmp.c_str(), 0);
        throw error("cannot write", rel);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    ::fchmod(out.get(), mode);
    if ((flush && ::fsync(out.get()) != 0) || ::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0) {
      ::unlinkat(dir.get(), tmp.c_str(), 0);
      throw error("cannot replace", rel);
    }
  }

  /// The file's content, or nullopt-like empty flag when it does not exist.
  /// A symlink at any component is refused.
  bool read_file(const std::filesystem::path& rel, std::string& content) const {
    auto [dir, name] = parent_of(rel, false);
    UniqueFd in(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) {
      if (errno == ENOENT) return false;
      throw error("cannot read", rel);
    }
    struct stat st {};
    if (::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw error("not a regular file:", rel);
    content.clear();
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(in.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw error("cannot read", rel);
      if (n == 0) break;
      content.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  void make_dirs(const std::filesystem::path& rel, mode_t mode = 0755) const { open_dir(rel, true, mode); }

  /// Removes a file or an empty directory; a symlink is removed, not followed.
  void remove(const std::filesystem::path& rel) const {
    auto [dir, name] = parent_of(rel, false);
    if (::unlinkat(dir.get(), name.c_str(), 0) != 0) {
      if (errno == EISDIR || errno == EPERM) {
        if (::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR) == 0) return;
      }
      if (errno != ENOENT) throw error("cannot remove", rel);
    }
  }

  /// The path split into components; throws on "..", absolute or empty parts.
  static std::vector<std::string> components(const std::filesystem::path& rel) {
    std::vector<std::string> parts;
    for (const auto& p : rel.relative_path()) {
      std::string s = p.string();
      if (s.empty() || s == ".") continue;
      if (s == "..") throw std::runtime_error("path escapes the jail root: " + rel.string());
      parts.push_back(s);
    }
    return parts;
  }

 private:
  std::pair<UniqueFd, std::string> parent_of(const std::filesystem::path& rel, bool create) const {
    auto parts = components(rel);
    if (parts.empty()) throw std::runtime_error("no file name in path: " + rel.string());
    std::string name = parts.back();
    parts.pop_back();
    std::filesystem::path parent;
    for (const auto& p : parts) parent /= p;
    return {open_dir(parent, create), name};
  }

  std::runtime_error error(const std::string& what, const std::filesystem::path& rel) const {
    return std::runtime_error(what + " " + (m_root / rel.relative_path()).string() + ": " + std::strerror(errno));
  }

  static std::string random_suffix() { return random_hex(12); }

  std::filesystem::path m_root;
  UniqueFd m_fd;
};

}  // namespace iocell::sdk
