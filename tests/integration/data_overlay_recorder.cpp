// The overlayfs recorder for real (root, a private mount namespace): the
// jail's root keeps its files, every change lands in the upper layer, and
// the recorder tells its own overlay from a dir clone's.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <iocell/core/ops/record.hpp>

#include "overlay_recorder.hpp"
#include "support/storage_fixture.hpp"

namespace fs = std::filesystem;
namespace sdk = iocell::sdk;
namespace st = iocell::test::storage;

namespace {

class OverlayRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    st::enter_private_mount_namespace();
    home = dir.path() / "jails" / "u1";
    fs::create_directories(home / "root");
    st::write(home / "root/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    st::write(home / "root/etc/rc", "#!/bin/sh\n", 0755);
    spec.uuid = "u1";
    spec.home = home;
    spec.root = home / "root";
    host.os = sdk::HostOs::Linux;
    host.root = dir.path();
  }

  st::ScratchDir dir{"data-overlay"};
  fs::path home;
  sdk::JailSpec spec;
  sdk::HostContext host;
};

TEST_F(OverlayRecorderTest, ChangesLandInTheUpperLayerAndTheRootKeepsItsFiles) {
  iocell::plugins::overlayfs::OverlayRecorder rec(host);
  EXPECT_FALSE(rec.active(spec));
  rec.start(spec, home / "recorded");
  st::MountGuard guard(spec.root);
  EXPECT_TRUE(rec.active(spec));
  EXPECT_THROW(rec.start(spec, home / "recorded"), std::runtime_error) << "already recording";

  st::write(spec.root / "usr/local/etc/app.conf", "app\n");
  st::write(spec.root / "etc/passwd", "root:x:0:0::/root:/bin/sh\nwww:x:80:80::/:/bin/false\n");
  fs::remove(spec.root / "etc/rc");
  EXPECT_EQ(st::read(home / "recorded/usr/local/etc/app.conf"), "app\n");
  EXPECT_NE(st::read(home / "recorded/etc/passwd").find("www"), std::string::npos);
  auto wh = st::lstat_of(home / "recorded/etc/rc");
  EXPECT_TRUE(S_ISCHR(wh.st_mode) && wh.st_rdev == ::makedev(0, 0)) << "a deletion is a whiteout";

  rec.stop(spec);
  EXPECT_FALSE(rec.active(spec));
  EXPECT_FALSE(fs::exists(iocell::plugins::overlayfs::OverlayRecorder::work_dir(spec)));
  EXPECT_FALSE(fs::exists(spec.root / "usr/local/etc/app.conf")) << "the root below never changed";
  EXPECT_TRUE(fs::exists(spec.root / "etc/rc"));

  auto pruned = iocell::core::prune_recording(home / "recorded");
  EXPECT_EQ(pruned.deletions, 1u);
  EXPECT_FALSE(fs::exists(fs::symlink_status(home / "recorded/etc/rc")));
  EXPECT_TRUE(fs::exists(home / "recorded/usr/local/etc/app.conf"));
}

TEST_F(OverlayRecorderTest, StacksOnAnOverlayThatIsNoRecording) {
  // A dir clone: an overlay on the root whose upper layer is elsewhere.
  const fs::path lower = dir.path() / "release", upper = dir.path() / ".overlay/u1/upper", work = dir.path() / ".overlay/u1/work";
  st::write(lower / "bin/sh", "busybox\n", 0755);
  fs::create_directories(upper);
  fs::create_directories(work);
  const std::string opts = "lowerdir=" + lower.string() + ",upperdir=" + upper.string() + ",workdir=" + work.string();
  ASSERT_EQ(::mount("overlay", spec.root.c_str(), "overlay", 0, opts.c_str()), 0) << std::strerror(errno);
  st::MountGuard clone_guard(spec.root);
  iocell::plugins::overlayfs::OverlayRecorder rec(host);
  EXPECT_FALSE(rec.active(spec)) << "the clone's own overlay is no recording";
  rec.start(spec, home / "recorded");
  st::MountGuard guard(spec.root);
  EXPECT_TRUE(rec.active(spec));
  st::write(spec.root / "etc/motd", "hello\n");
  EXPECT_EQ(st::read(home / "recorded/etc/motd"), "hello\n");
  EXPECT_FALSE(fs::exists(upper / "etc/motd")) << "the clone's layer does not see recorded changes";
  rec.stop(spec);
  EXPECT_TRUE(fs::exists(spec.root / "bin/sh")) << "the clone's overlay is still there";
  EXPECT_FALSE(fs::exists(spec.root / "etc/motd"));
}

TEST_F(OverlayRecorderTest, PathsOverlayfsWouldMisreadAreRefused) {
  sdk::JailSpec odd = spec;
  odd.root = dir.path() / "a,b" / "root";
  fs::create_directories(odd.root);
  iocell::plugins::overlayfs::OverlayRecorder rec(host);
  EXPECT_THROW(rec.start(odd, dir.path() / "a,b" / "recorded"), std::runtime_error);
}

TEST(OverlayMountinfo, ParsesEscapesAndOptions) {
  using iocell::plugins::overlayfs::mount_option;
  using iocell::plugins::overlayfs::parse_mountinfo;
  auto entries = parse_mountinfo(
      "36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext4 /dev/root rw\n"
      "40 36 0:50 / /j/root rw shared:2 - overlay overlay rw,lowerdir=/j/root,upperdir=/j/recorded,workdir=/j/.recorded-work\n"
      "garbage line\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].mount_point, "/mnt/with space");
  EXPECT_EQ(entries[1].fstype, "overlay");
  EXPECT_EQ(mount_option(entries[1].super_options, "upperdir"), "/j/recorded");
  EXPECT_FALSE(mount_option(entries[1].super_options, "index").has_value());
}

}  // namespace
