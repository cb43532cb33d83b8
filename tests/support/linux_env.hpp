// Pieces of the Linux test world that benchmarks share with the tests
// (no gtest here): namespaces of the calling thread, busybox roots.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <iocell/core/runners.hpp>

namespace iocell::test {

inline std::string busybox_path() {
  for (const char* p : {"/bin/busybox", "/usr/bin/busybox"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Namespaces of the test thread: entered in the constructor, left (setns
/// back) in the destructor.
class PrivateNet {
 public:
  PrivateNet() {
    m_net = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    m_mnt = ::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    char cwd[4096];
    m_cwd = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
    if (m_net < 0 || m_mnt < 0 || ::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
      throw std::runtime_error("cannot unshare the test's namespaces");
    m_entered = true;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      throw std::runtime_error("cannot make / private");
    // `ip netns attach` writes /run/netns: keep it inside this mount namespace.
    if (::mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") != 0)
      throw std::runtime_error("cannot mount a private /run");
  }
  ~PrivateNet() {
    if (m_entered) {
      ::setns(m_net, CLONE_NEWNET);
      ::setns(m_mnt, CLONE_NEWNS);
      if (::chdir(m_cwd.c_str()) != 0) {
        // The directory of the test run went away: nothing to return to.
      }
    }
    if (m_net >= 0) ::close(m_net);
    if (m_mnt >= 0) ::close(m_mnt);
  }
  PrivateNet(const PrivateNet&) = delete;
  PrivateNet& operator=(const PrivateNet&) = delete;

 private:
  int m_net = -1, m_mnt = -1;
  bool m_entered = false;
  std::string m_cwd;
};

inline void build_busybox_root(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  for (const char* d : {"bin", "etc", "proc", "dev", "tmp", "root", "mnt", "home/user"}) fs::create_directories(root / d);
  fs::copy_file(busybox_path(), root / "bin" / "busybox", fs::copy_options::overwrite_existing);
  core::PosixRunner r;
  auto list = r.run(sdk::Command{busybox_path(), "--list"});
  std::istringstream in(list.out);
  std::string applet;
  while (in >> applet) {
    if (applet == "busybox") continue;
    std::error_code ec;
    fs::create_symlink("busybox", root / "bin" / applet, ec);
  }
  std::ofstream(root / "etc" / "passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                         << "user:x:1000:1000:user:/home/user:/bin/sh\n"
                                         << "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
  std::ofstream(root / "etc" / "group") << "root:x:0:\nuser:x:1000:\nwheel:x:10:user\nnogroup:x:65534:\n";
}


}  // namespace iocell::test
