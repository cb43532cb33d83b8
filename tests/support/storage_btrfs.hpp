// A btrfs filesystem on a loop device for tests: a sparse image file,
// mkfs.btrfs, `mount -o loop` inside the test's private mount namespace.
// The loop device is attached with autoclear (it goes when the mount goes,
// even if the test process dies), and the destructor unmounts and detaches
// explicitly as well.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <iocell/core/runners.hpp>

#include "support/storage_fixture.hpp"

namespace iocell::test::storage {

class LoopBtrfs {
 public:
  /// Empty when the machine can run it, else why not.
  static std::string unavailable() {
    if (::geteuid() != 0) return "needs root";
    for (const char* tool : {"/sbin/mkfs.btrfs", "/usr/sbin/mkfs.btrfs", "/usr/bin/mkfs.btrfs"})
      if (fs::exists(tool)) return fs::exists("/dev/loop-control") ? "" : "no /dev/loop-control";
    return "mkfs.btrfs is missing (apt-get install btrfs-progs)";
  }

  explicit LoopBtrfs(std::uint64_t megabytes = 512) : m_dir("btrfs") {
    enter_private_mount_namespace();
    m_image = m_dir.path() / "fs.img";
    m_mount = m_dir.path() / "mnt";
    fs::create_directories(m_mount);
    { std::ofstream(m_image).flush(); }
    fs::resize_file(m_image, megabytes << 20);
    core::PosixRunner run;
    run.check({"mkfs.btrfs", "-q", "-f", m_image.string()});
    run.check({"mount", "-o", "loop", m_image.string(), m_mount.string()});
    m_mounted = true;
  }
  ~LoopBtrfs() {
    core::PosixRunner run;
    if (m_mounted && ::umount2(m_mount.c_str(), 0) != 0) ::umount2(m_mount.c_str(), MNT_DETACH);
    // Autoclear normally detaches it with the unmount; make sure.
    auto res = run.run({"losetup", "-j", m_image.string()});
    const std::string out = res.out;
    if (res.ok() && out.rfind("/dev/loop", 0) == 0) run.run({"losetup", "-d", out.substr(0, out.find(':'))});
  }
  LoopBtrfs(const LoopBtrfs&) = delete;
  LoopBtrfs& operator=(const LoopBtrfs&) = delete;

  const fs::path& mount() const { return m_mount; }

 private:
  ScratchDir m_dir;
  fs::path m_image, m_mount;
  bool m_mounted = false;
};

}  // namespace iocell::test::storage
