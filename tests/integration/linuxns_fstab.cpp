// fstab entries mounted inside a jail's mount namespace, and a symbolic
// link the jail planted at a mount point refused rather than followed.
#include <gtest/gtest.h>

#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

TEST(LinuxNsFstab, MountsTheDebianHowtoEntriesAndNullfs) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  const std::string uuid = "44444444-aaaa-4bbb-8ccc-000000000001";
  auto spec = w.make_spec(uuid);
  const auto share = w.tmp() / "share";
  std::filesystem::create_directories(share);
  std::ofstream(share / "hello.txt") << "from the host\n";
  std::ofstream(spec.home / "fstab") << "linproc /iocell/jails/" << uuid << "/root/compat/linux/proc linprocfs rw 0 0\n"
                                     << "tmpfs " << spec.root.string() << "/lib/init/rw tmpfs rw,mode=777 0 0\n"
                                     << share.string() << " " << spec.root.string() << "/mnt/share nullfs ro 0 0\n";
  TestJail j(w, spec);
  j.start();
  EXPECT_EQ(j.out({"cat", "/compat/linux/proc/1/comm"}), "iocell-init");
  EXPECT_EQ(j.out({"sh", "-c", "stat -f -c %T /lib/init/rw; stat -c %a /lib/init/rw"}), "tmpfs\n777");
  EXPECT_EQ(j.out({"cat", "/mnt/share/hello.txt"}), "from the host");
  EXPECT_NE(j.exec({"sh", "-c", "echo x > /mnt/share/new"}).exit_code, 0) << "ro was ignored";
  EXPECT_FALSE(std::filesystem::exists(share / "new"));
  // The host's mount table never saw any of it.
  EXPECT_EQ(slurp_file("/proc/self/mountinfo").find(spec.root.string()), std::string::npos);
}

TEST(LinuxNsFstab, PlantedSymlinkIsRefusedNotFollowed) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  const std::string uuid = "44444444-aaaa-4bbb-8ccc-000000000002";
  auto spec = w.make_spec(uuid);
  const auto victim = w.tmp() / "victim";
  std::filesystem::create_directories(victim);
  std::ofstream(victim / "keep.txt") << "host data\n";
  // The jail points its mount point at a host directory.
  std::filesystem::create_symlink(victim, spec.root / "mnt" / "evil");
  std::ofstream(spec.home / "fstab") << "tmpfs " << spec.root.string() << "/mnt/evil tmpfs rw 0 0\n";
  TestJail j(w, spec);
  try {
    j.start();
    ADD_FAILURE() << "mounted through a planted symlink";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("symbolic link"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::exists(victim / "keep.txt"));
  EXPECT_TRUE(w.runtime->running().empty()) << "a refused start left an init";

  // The same trick one level up, and on /proc, which every jail mounts.
  std::filesystem::remove(spec.root / "mnt" / "evil");
  std::filesystem::remove_all(spec.root / "proc");
  std::filesystem::create_symlink(victim, spec.root / "proc");
  std::filesystem::remove(spec.home / "fstab");
  TestJail k(w, spec);
  EXPECT_THROW(k.start(), std::runtime_error);
  EXPECT_TRUE(std::filesystem::exists(victim / "keep.txt"));
}

}  // namespace
}  // namespace iocell::test
