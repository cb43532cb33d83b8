// Shared helpers of the storage and jail-type tests: scratch directories,
// tiny release trees, file inspection, a private mount namespace.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::test::storage {

namespace fs = std::filesystem;

/// A fresh directory removed (without following symlinks) at scope exit.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag = "store", const fs::path& base = fs::temp_directory_path()) {
    std::random_device rd;
    m_path = base / ("iocell-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000));
    fs::create_directories(m_path);
  }
  ~ScratchDir() {
    try {
      sdk::tree::remove_tree(m_path);
    } catch (const std::exception&) {
      // Something still mounted inside: leave it rather than cross into it.
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

inline void write(const fs::path& p, const std::string& content, mode_t mode = 0644) {
  fs::create_directories(p.parent_path());
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + p.string());
    out << content;
  }
  ::chmod(p.c_str(), mode);
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline struct stat lstat_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + p.string() + ": " + std::strerror(errno));
  return st;
}

/// A tiny FreeBSD-shaped release: system directories with files, a symlink,
/// a hard link, a setuid file, etc/ and root/ of its own. With busybox, a
/// static busybox as bin/sh (for tests that run something in it).
inline void make_release(const fs::path& root, bool with_busybox = false) {
  for (const char* d : {"bin", "sbin", "lib", "libexec", "boot", "rescue", "usr/bin", "usr/lib", "usr/sbin", "usr/share/misc",
                        "usr/libexec", "usr/include", "etc", "root", "var/log", "tmp", "dev", "mnt", "proc"})
    fs::create_directories(root / d);
  write(root / "bin/echo", "#!/bin/sh\necho \"$@\"\n", 0755);
  write(root / "sbin/init", "init binary\n", 0755);
  write(root / "lib/libc.so.7", std::string(64 * 1024, 'c'), 0444);
  write(root / "usr/bin/su", "setuid\n", 04555);
  write(root / "usr/share/misc/termcap", "vt100|dec vt100\n");
  write(root / "usr/include/stdio.h", "int printf(const char*, ...);\n");
  write(root / "etc/rc.conf", "hostname=\"release\"\n");
  write(root / "etc/passwd", "root:*:0:0:Charlie &:/root:/bin/sh\n");
  write(root / "root/.profile", "PATH=/bin:/usr/bin\n");
  fs::create_symlink("../lib/libc.so.7", root / "usr/lib/libc.so");
  fs::create_hard_link(root / "bin/echo", root / "bin/echo2");
  ::chmod((root / "tmp").c_str(), 01777);
  if (with_busybox) {
    fs::path bb = "/bin/busybox";
    if (!fs::exists(bb)) throw std::runtime_error("busybox-static is not installed (apt-get install busybox-static)");
    fs::copy_file(bb, root / "bin/busybox", fs::copy_options::overwrite_existing);
    fs::create_symlink("busybox", root / "bin/sh");
  }
}

inline sdk::HostContext host_at(const fs::path& root) {
  sdk::HostContext h;
  h.os = sdk::HostOs::Linux;
  h.root = root;
  return h;
}

/// Moves this test process into its own mount namespace (once), with every
/// mount private, so that nothing it mounts is visible on the host and
/// everything it mounts disappears when the process exits.
inline void enter_private_mount_namespace() {
  static bool done = false;
  if (done) return;
  if (::unshare(CLONE_NEWNS) != 0) throw std::runtime_error(std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno));
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    throw std::runtime_error(std::string("making / private: ") + std::strerror(errno));
  done = true;
}

/// Unmounts a path at scope exit (lazily, so that a failed test never leaves
/// a mount behind because of an open descriptor).
class MountGuard {
 public:
  explicit MountGuard(fs::path p) : m_path(std::move(p)) {}
  ~MountGuard() {
    if (!m_path.empty()) ::umount2(m_path.c_str(), MNT_DETACH);
  }
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;

 private:
  fs::path m_path;
};

/// Detaches every mount at or below `top`, deepest first.
inline void unmount_below(const fs::path& top) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> points;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string id, parent, dev, mroot, point;
    if (!(words >> id >> parent >> dev >> mroot >> point)) continue;
    if (point == top.string() || point.rfind(top.string() + "/", 0) == 0) points.push_back(point);
  }
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& p : points) ::umount2(p.c_str(), MNT_DETACH);
}

}  // namespace iocell::test::storage
