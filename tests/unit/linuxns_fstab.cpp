// fstab lines of a Linux jail: FreeBSD types mapped, host paths under the
// jail root translated, everything else refused with the line number.
#include <gtest/gtest.h>

#include "fstab.hpp"

namespace iocell::plugins::linux_ns {
namespace {

const std::filesystem::path kRoot = "/var/lib/iocell/jails/0b1c2d3e-1111-4222-8333-444455556666/root";
const std::string kUuid = "0b1c2d3e-1111-4222-8333-444455556666";

TEST(LinuxNsFstab, DebianHowtoLinesTranslate) {
  // The documentation writes /iocell/jails/UUID/root/... even where the root is elsewhere.
  const std::string text =
      "# the Debian howto\n"
      "linsys   /iocell/jails/" + kUuid + "/root/sys         linsysfs  rw          0 0\n"
      "linproc  /iocell/jails/" + kUuid + "/root/proc        linprocfs rw          0 0\n"
      "tmpfs    /iocell/jails/" + kUuid + "/root/lib/init/rw tmpfs     rw,mode=777 0 0\n";
  auto e = parse_fstab(text, kRoot, kUuid);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].fstype, "sysfs");
  EXPECT_EQ(e[0].target, "sys");
  EXPECT_TRUE(e[0].readonly) << "sysfs is always read-only inside a jail";
  EXPECT_EQ(e[1].fstype, "proc");
  EXPECT_EQ(e[1].target, "proc");
  EXPECT_EQ(e[2].fstype, "tmpfs");
  EXPECT_EQ(e[2].target, "lib/init/rw");
  ASSERT_EQ(e[2].params.size(), 1u);
  EXPECT_EQ(e[2].params[0], (std::pair<std::string, std::string>{"mode", "777"}));
  EXPECT_EQ(e[2].line, 4);
}

TEST(LinuxNsFstab, PathsUnderTheRealRootAndNullfs) {
  auto e = parse_fstab("/srv/data " + kRoot.string() + "/mnt/data nullfs ro,nosuid 0 0\n"
                       "/srv/my\\040files " + kRoot.string() + "/mnt/my\\040files nullfs rw 0 0\n",
                       kRoot, kUuid);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].fstype, "bind");
  EXPECT_EQ(e[0].source, "/srv/data");
  EXPECT_EQ(e[0].target, "mnt/data");
  EXPECT_TRUE(e[0].readonly);
  EXPECT_TRUE(e[0].nosuid);
  EXPECT_EQ(e[1].source, "/srv/my files");
  EXPECT_EQ(e[1].target, "mnt/my files");
}

TEST(LinuxNsFstab, SkipsWhatEveryJailHasAndNoauto) {
  auto e = parse_fstab("devfs " + kRoot.string() + "/dev devfs rw 0 0\n"
                       "fdesc " + kRoot.string() + "/dev/fd fdescfs rw 0 0\n"
                       "tmpfs " + kRoot.string() + "/x tmpfs rw,noauto 0 0\n",
                       kRoot, kUuid);
  EXPECT_TRUE(e.empty());
}

TEST(LinuxNsFstab, RefusesPathsOutsideTheJail) {
  try {
    parse_fstab("\n/srv /etc nullfs rw 0 0\n", kRoot, kUuid);
    FAIL() << "a mount point outside the jail was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("fstab line 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not inside the jail root"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_fstab("tmpfs " + kRoot.string() + "/../../x tmpfs rw\n", kRoot, kUuid), std::runtime_error);
  EXPECT_THROW(parse_fstab("tmpfs " + kRoot.string() + " tmpfs rw\n", kRoot, kUuid), std::runtime_error);
  // Another jail's root is not this jail's.
  EXPECT_THROW(parse_fstab("tmpfs /iocell/jails/ffffffff-1111-4222-8333-444455556666/root/x tmpfs rw\n", kRoot, kUuid),
               std::runtime_error);
  EXPECT_THROW(parse_fstab("tmpfs relative/x tmpfs rw\n", kRoot, kUuid), std::runtime_error);
}

TEST(LinuxNsFstab, RefusesOptionsItCannotHonour) {
  EXPECT_THROW(parse_fstab("/srv " + kRoot.string() + "/mnt nullfs rw,dev 0 0\n", kRoot, kUuid), std::runtime_error);
  EXPECT_THROW(parse_fstab("/srv " + kRoot.string() + "/mnt nullfs rw,size=1m 0 0\n", kRoot, kUuid), std::runtime_error);
  EXPECT_THROW(parse_fstab("srv " + kRoot.string() + "/mnt nullfs rw 0 0\n", kRoot, kUuid), std::runtime_error);
  EXPECT_THROW(parse_fstab("onlytwo fields\n", kRoot, kUuid), std::runtime_error);
}

}  // namespace
}  // namespace iocell::plugins::linux_ns
