// A ZFS pool for tests on Linux: Debian's zfs-fuse daemon, started here,
// with a pool on a sparse file. Everything lives in the test process's
// private mount namespace: the daemon's control socket directory
// (/var/run/zfs, a tmpfs of its own, so that no other zfs-fuse and no host
// ZFS is ever talked to) and the FUSE mounts of the datasets. The
// destructor destroys the pool, stops the daemon and removes the file and
// the tmpfs whatever the test did; a fixture holds it so that TearDown runs
// it even when an assertion stopped the test.
#pragma once

#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <iocell/core/runners.hpp>

#include "support/storage_fixture.hpp"

namespace iocell::test::storage {

class ZfsFusePool {
 public:
  static constexpr const char* kDaemon = "/usr/sbin/zfs-fuse";
  static constexpr const char* kSocketDir = "/var/run/zfs";

  /// Empty when the machine can run it, else why not.
  static std::string unavailable() {
    if (::geteuid() != 0) return "needs root (a private mount namespace, FUSE mounts)";
    if (!fs::exists("/dev/fuse")) return "no /dev/fuse";
    for (const char* tool : {kDaemon, "/usr/sbin/zpool", "/usr/sbin/zfs"})
      if (::access(tool, X_OK) != 0) return std::string(tool) + " is missing (apt-get install zfs-fuse)";
    return "";
  }

  ZfsFusePool(std::string pool, std::uint64_t megabytes) : m_pool(std::move(pool)), m_dir("zfs-fuse") {
    enter_private_mount_namespace();
    m_made_socket_dir = !fs::exists(kSocketDir);
    fs::create_directories(kSocketDir);
    if (::mount("tmpfs", kSocketDir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") != 0)
      throw std::runtime_error(std::string("cannot mount a private ") + kSocketDir);
    m_socket_tmpfs = true;
    const fs::path pidfile = fs::path(kSocketDir) / "test.pid";
    // --no-kstat-mount: no /zfs-kstat mount point on the host's /. -a 0 -e 0:
    // no FUSE attribute and entry caching (zfsrc asks for an hour), so that
    // the kernel lets go of a dataset's files soon enough for an unmount.
    m_run.check({kDaemon, "--no-kstat-mount", "-a", "0", "-e", "0", "-p", pidfile.string()});
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!(m_daemon = read_pid(pidfile)) || !m_run.run({"zpool", "list", "-H"}).ok()) {
      if (std::chrono::steady_clock::now() > until) throw std::runtime_error("zfs-fuse did not start answering");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    m_image = m_dir.path() / "pool.img";
    { std::ofstream(m_image).flush(); }
    fs::resize_file(m_image, megabytes << 20);
    // cachefile=none: the pool is never written to /etc/zfs/zpool.cache.
    m_run.check({"zpool", "create", "-o", "cachefile=none", "-m", "none", m_pool, m_image.string()});
    m_created = true;
  }

  ~ZfsFusePool() {
    if (m_created) m_run.run({"zpool", "destroy", "-f", m_pool});
    if (m_daemon > 0) {
      ::kill(m_daemon, SIGTERM);
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      // Until it is gone: a second daemon started while the first one
      // still exits dies at once.
      while (alive(m_daemon) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (alive(m_daemon)) ::kill(m_daemon, SIGKILL);
    }
    // A FUSE mount whose daemon is gone answers nothing: detach what is left.
    unmount_below(m_dir.path());
    if (m_socket_tmpfs) ::umount2(kSocketDir, MNT_DETACH);
    std::error_code ec;
    if (m_made_socket_dir) fs::remove(kSocketDir, ec);
  }
  ZfsFusePool(const ZfsFusePool&) = delete;
  ZfsFusePool& operator=(const ZfsFusePool&) = delete;

  const std::string& pool() const { return m_pool; }
  /// A scratch directory for the test (the iocell root, a mirror).
  const fs::path& dir() const { return m_dir.path(); }
  sdk::CommandResult zfs(std::vector<std::string> args) {
    args.insert(args.begin(), "zfs");
    return m_run.run(sdk::Command(args));
  }
  /// `zfs get -H -o value PROP DATASET`, without the newline.
  std::string get(const std::string& prop, const std::string& dataset) {
    std::string v = zfs({"get", "-H", "-o", "value", prop, dataset}).out;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
  }

 private:
  /// Running (a zombie nobody reaps, as under a container's init, is not).
  static bool alive(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
  }
  static pid_t read_pid(const fs::path& file) {
    std::ifstream in(file);
    pid_t pid = 0;
    in >> pid;
    return pid;
  }

  std::string m_pool;
  ScratchDir m_dir;
  core::PosixRunner m_run;
  fs::path m_image;
  pid_t m_daemon = 0;
  bool m_made_socket_dir = false, m_socket_tmpfs = false, m_created = false;
};

}  // namespace iocell::test::storage
