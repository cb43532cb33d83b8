// The dir storage backend as root: thin clones as overlays of a snapshot
// copy, mounted and unmounted on demand; removal that never crosses a bind
// mount. Runs in a private mount namespace.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include "dir_storage.hpp"
#include "support/storage_fixture.hpp"

namespace {

using iocell::plugins::dir::DirStorage;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;

class DirOverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (overlay mounts)";
    st::enter_private_mount_namespace();
    tmp = std::make_unique<st::ScratchDir>("dirovl");
    store = std::make_unique<DirStorage>(st::host_at(tmp->path() / "root"));
    store->initialize();
    store->create("releases/R/root", {});
    st::make_release(store->mountpoint("releases/R/root"));
    store->snapshot("releases/R/root", "u1", false);
    store->create("jails/u1", {});
    store->clone("releases/R/root", "u1", "jails/u1/root", {});
  }
  void TearDown() override {
    if (!store) return;
    // Whatever a failed test left mounted goes before the scratch directory.
    for (const char* ds : {"jails/u1", "jails/u2", "jails/moved"}) {
      try {
        store->unmount(ds);
      } catch (const std::exception&) {
        ::umount2(store->mountpoint(std::string(ds) + "/root").c_str(), MNT_DETACH);
      }
    }
    store.reset();
    tmp.reset();
  }
  fs::path mp(const std::string& ds) { return store->mountpoint(ds); }
  fs::path snapdata() { return tmp->path() / "root/.snapshots/releases%2FR%2Froot/u1/data"; }

  std::unique_ptr<st::ScratchDir> tmp;
  std::unique_ptr<DirStorage> store;
};

TEST_F(DirOverlayTest, CloneIsAnOverlayWhoseWritesNeverReachTheRelease) {
  const fs::path root = mp("jails/u1/root");
  ASSERT_TRUE(iocell::sdk::tree::is_mount_point(root));
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"release\"\n");
  st::write(root / "etc/rc.conf", "hostname=\"u1\"\n");
  st::write(root / "root/new", "mine\n");
  fs::remove(root / "usr/include/stdio.h");
  EXPECT_EQ(st::read(mp("releases/R/root") / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(st::read(snapdata() / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_TRUE(fs::exists(snapdata() / "usr/include/stdio.h"));
  EXPECT_NE(st::lstat_of(root / "lib/libc.so.7").st_ino, st::lstat_of(mp("releases/R/root") / "lib/libc.so.7").st_ino);

  // Mounts do not persist: unmount, then mount brings the same content back.
  store->unmount("jails/u1");
  EXPECT_FALSE(iocell::sdk::tree::is_mount_point(root));
  EXPECT_TRUE(fs::is_empty(root));
  store->mount("jails/u1");
  store->mount("jails/u1");  // idempotent
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"u1\"\n");
  EXPECT_EQ(st::read(root / "root/new"), "mine\n");
  EXPECT_FALSE(fs::exists(root / "usr/include/stdio.h"));
  EXPECT_LT(store->usage("jails/u1/root").used, store->usage("releases/R/root").referenced)
      << "a thin clone holds only its changes";
}

TEST_F(DirOverlayTest, DependentsBlockDestroyAndDestroyUnmounts) {
  try {
    store->destroy("releases/R");
    FAIL() << "destroy with an overlay clone on its snapshot must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("jails/u1/root"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(snapdata() / "etc/rc.conf"));
  store->destroy("jails/u1");
  EXPECT_FALSE(fs::exists(mp("jails/u1")));
  EXPECT_FALSE(fs::exists(tmp->path() / "root/.overlay/jails%2Fu1%2Froot"));
  store->destroy("releases/R");
  EXPECT_FALSE(fs::exists(snapdata()));
}

TEST_F(DirOverlayTest, RenameRemountsAtTheNewPlace) {
  st::write(mp("jails/u1/root") / "etc/motd", "moved along\n");
  store->rename("jails/u1", "jails/moved");
  EXPECT_TRUE(iocell::sdk::tree::is_mount_point(mp("jails/moved/root")));
  EXPECT_EQ(st::read(mp("jails/moved/root") / "etc/motd"), "moved along\n");
  EXPECT_EQ(store->origin("jails/moved/root"), "releases/R/root@u1");
}

TEST_F(DirOverlayTest, SnapshotAndRollbackOfAnOverlayClone) {
  const fs::path root = mp("jails/u1/root");
  store->snapshot("jails/u1/root", "before", false);
  st::write(root / "etc/rc.conf", "broken\n");
  fs::remove_all(root / "usr/share");
  store->unmount("jails/u1");  // rollback mounts what it needs
  store->rollback("jails/u1/root", "before");
  EXPECT_FALSE(iocell::sdk::tree::is_mount_point(root)) << "what rollback mounted for itself went with it";
  store->mount("jails/u1");
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(st::read(root / "usr/share/misc/termcap"), "vt100|dec vt100\n");
}

TEST_F(DirOverlayTest, PromoteCopiesTheLowerLayerIn) {
  st::write(mp("jails/u1/root") / "root/keep", "k\n");
  store->promote("jails/u1/root");
  const fs::path root = mp("jails/u1/root");
  EXPECT_FALSE(iocell::sdk::tree::is_mount_point(root));
  EXPECT_EQ(st::read(root / "root/keep"), "k\n");
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(store->origin("jails/u1/root"), "");
  store->destroy_snapshot("releases/R/root", "u1", false);
  store->mount("jails/u1");  // nothing to mount any more
  EXPECT_EQ(st::read(root / "root/keep"), "k\n");
}

TEST_F(DirOverlayTest, DestroyStopsAtABindMountOfTheRelease) {
  store->create("jails/u2/root/bin", {});
  const fs::path target = mp("jails/u2/root/bin");
  ASSERT_EQ(::mount(mp("releases/R/root/bin").c_str(), target.c_str(), nullptr, MS_BIND, nullptr), 0);
  st::MountGuard guard(target);
  try {
    store->destroy("jails/u2");
    FAIL() << "destroy must refuse to walk into a bind mount";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("mounted"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(mp("releases/R/root/bin/echo")));
}

}  // namespace
