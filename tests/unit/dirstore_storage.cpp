// The dir storage backend without privileges: datasets, copies, snapshots,
// rollback, copy-mode clones and their bookkeeping, refused properties.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "dir_storage.hpp"
#include "support/storage_fixture.hpp"

namespace {

using iocell::plugins::dir::DirStorage;
using iocell::sdk::DatasetOptions;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;

class DirStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::make_unique<DirStorage>(st::host_at(tmp.path() / "root"));
    store->set_overlay_clones(false);
    store->initialize();
    store->create("releases/R/root", {});
    st::make_release(store->mountpoint("releases/R/root"));
  }
  fs::path mp(const std::string& ds) { return store->mountpoint(ds); }

  st::ScratchDir tmp{"dirstore"};
  std::unique_ptr<DirStorage> store;
};

TEST_F(DirStoreTest, CreateMakesParentsAndRefusesBadNames) {
  EXPECT_TRUE(store->exists("releases/R"));
  EXPECT_TRUE(store->exists("releases/R/root"));
  EXPECT_FALSE(store->exists("jails/x"));
  store->create("jails/x/root", {});
  EXPECT_TRUE(fs::is_directory(tmp.path() / "root/jails/x/root"));
  EXPECT_NO_THROW(store->create("jails/x/root", {}));  // like zfs create -p
  EXPECT_THROW(store->create("jails/../etc", {}), std::invalid_argument);
  EXPECT_THROW(store->create("/abs", {}), std::invalid_argument);
  EXPECT_THROW(store->create("a@b", {}), std::invalid_argument);
  EXPECT_THROW(store->snapshot("jails/x", "../up", false), std::invalid_argument);
}

TEST_F(DirStoreTest, CopyIsIndependentAndFaithful) {
  ASSERT_EQ(::mkfifo((mp("releases/R/root") / "var/log/pipe").c_str(), 0600), 0);
  ASSERT_EQ(::chmod((mp("releases/R/root") / "var/log/pipe").c_str(), 0620), 0);
  store->copy("releases/R/root", "jails/t/root", {});
  const fs::path src = mp("releases/R/root"), dst = mp("jails/t/root");
  EXPECT_EQ(st::read(dst / "etc/rc.conf"), st::read(src / "etc/rc.conf"));
  EXPECT_EQ(fs::read_symlink(dst / "usr/lib/libc.so"), "../lib/libc.so.7");
  auto a = st::lstat_of(dst / "bin/echo"), b = st::lstat_of(dst / "bin/echo2");
  EXPECT_EQ(a.st_ino, b.st_ino) << "hard links stay hard links";
  EXPECT_NE(a.st_ino, st::lstat_of(src / "bin/echo").st_ino) << "never the release's inode";
  EXPECT_EQ(st::lstat_of(dst / "usr/bin/su").st_mode & 07777, 04555u);
  EXPECT_EQ(st::lstat_of(dst / "tmp").st_mode & 07777, 01777u);
  EXPECT_TRUE(S_ISFIFO(st::lstat_of(dst / "var/log/pipe").st_mode));
  EXPECT_EQ(st::lstat_of(dst / "var/log/pipe").st_mode & 07777, 0620u);
  EXPECT_EQ(st::lstat_of(dst / "etc/rc.conf").st_mtim.tv_sec, st::lstat_of(src / "etc/rc.conf").st_mtim.tv_sec);
  st::write(dst / "etc/rc.conf", "hostname=\"mine\"\n");
  EXPECT_EQ(st::read(src / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(store->origin("jails/t/root"), "");
}

TEST_F(DirStoreTest, SnapshotsAreListedOldestFirstWithSizes) {
  store->snapshot("releases/R/root", "one", false);
  store->snapshot("releases/R/root", "two", false);
  auto snaps = store->snapshots("releases/R/root");
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_EQ(snaps[0].name, "one");
  EXPECT_EQ(snaps[1].name, "two");
  EXPECT_GT(snaps[0].referenced, 64u * 1024);
  EXPECT_LE(std::abs(snaps[0].created - static_cast<std::int64_t>(::time(nullptr))), 5);
  EXPECT_THROW(store->snapshot("releases/R/root", "one", false), std::runtime_error);
  store->destroy_snapshot("releases/R/root", "one", false);
  ASSERT_EQ(store->snapshots("releases/R/root").size(), 1u);
  EXPECT_THROW(store->destroy_snapshot("releases/R/root", "one", false), std::runtime_error);
}

TEST_F(DirStoreTest, RollbackRestoresEveryKindOfChangeAndDropsLaterSnapshots) {
  const fs::path root = mp("releases/R/root");
  store->snapshot("releases/R/root", "base", false);
  store->snapshot("releases/R/root", "later", false);
  st::write(root / "etc/new", "added\n");
  fs::remove(root / "usr/include/stdio.h");
  fs::remove_all(root / "usr/share");
  ::chmod((root / "sbin/init").c_str(), 0700);
  // Same size and the old mtime put back: only the ctime tells it changed.
  auto before = st::lstat_of(root / "etc/passwd");
  std::string forged = st::read(root / "etc/passwd");
  forged[0] = 'X';
  st::write(root / "etc/passwd", forged);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root / "etc/passwd").c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  fs::remove(root / "usr/lib/libc.so");
  fs::create_symlink("/etc/passwd", root / "usr/lib/libc.so");

  store->rollback("releases/R/root", "base");
  EXPECT_FALSE(fs::exists(root / "etc/new"));
  EXPECT_EQ(st::read(root / "usr/include/stdio.h"), "int printf(const char*, ...);\n");
  EXPECT_EQ(st::read(root / "usr/share/misc/termcap"), "vt100|dec vt100\n");
  EXPECT_EQ(st::lstat_of(root / "sbin/init").st_mode & 07777, 0755u);
  EXPECT_EQ(st::read(root / "etc/passwd"), "root:*:0:0:Charlie &:/root:/bin/sh\n");
  EXPECT_EQ(fs::read_symlink(root / "usr/lib/libc.so"), "../lib/libc.so.7");
  auto snaps = store->snapshots("releases/R/root");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "base");
}

TEST_F(DirStoreTest, CopyCloneTracksOriginAndBlocksDestroyUntilPromoted) {
  store->snapshot("releases/R/root", "u1", false);
  store->create("jails/u1", {});
  store->clone("releases/R/root", "u1", "jails/u1/root", {});
  EXPECT_EQ(st::read(mp("jails/u1/root") / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(store->origin("jails/u1/root"), "releases/R/root@u1");
  EXPECT_EQ(store->get_property("jails/u1/root", "origin"), "releases/R/root@u1");
  EXPECT_EQ(store->dependents("releases/R"), std::vector<std::string>{"jails/u1/root"});
  st::write(mp("jails/u1/root") / "etc/rc.conf", "changed\n");
  EXPECT_EQ(st::read(mp("releases/R/root") / "etc/rc.conf"), "hostname=\"release\"\n");

  try {
    store->destroy("releases/R");
    FAIL() << "destroy with a dependent clone must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("jails/u1/root"), std::string::npos) << e.what();
  }
  EXPECT_THROW(store->destroy_snapshot("releases/R/root", "u1", false), std::runtime_error);
  EXPECT_TRUE(store->exists("releases/R/root"));

  store->promote("jails/u1/root");
  EXPECT_EQ(store->origin("jails/u1/root"), "");
  EXPECT_THROW(store->promote("jails/u1/root"), std::runtime_error);
  store->destroy("releases/R");
  EXPECT_FALSE(store->exists("releases/R/root"));
  EXPECT_EQ(st::read(mp("jails/u1/root") / "etc/rc.conf"), "changed\n");
}

TEST_F(DirStoreTest, DestroyRemovesSymlinksWithoutFollowingThem) {
  st::ScratchDir outside{"outside"};
  st::write(outside.path() / "precious", "keep me\n");
  store->create("jails/evil/root", {});
  fs::create_directory_symlink(outside.path(), mp("jails/evil/root") / "escape");
  fs::create_symlink(outside.path() / "precious", mp("jails/evil/root") / "file");
  store->snapshot("jails/evil/root", "s", false);
  store->destroy("jails/evil");
  EXPECT_FALSE(store->exists("jails/evil"));
  EXPECT_EQ(st::read(outside.path() / "precious"), "keep me\n");
  EXPECT_TRUE(store->snapshots("jails/evil/root").empty());
}

TEST_F(DirStoreTest, RenameMovesSnapshotsAndKeepsClonesPointingAtThem) {
  store->create("jails/a/root", {});
  st::write(mp("jails/a/root") / "f", "a\n");
  store->snapshot("jails/a", "s", true);
  store->clone("jails/a/root", "s", "jails/b/root", {});
  store->rename("jails/a", "templates/a");
  EXPECT_FALSE(store->exists("jails/a"));
  EXPECT_EQ(st::read(mp("templates/a/root") / "f"), "a\n");
  EXPECT_EQ(store->snapshots("templates/a/root").size(), 1u);
  EXPECT_EQ(store->origin("jails/b/root"), "templates/a/root@s");
  EXPECT_EQ(store->dependents("templates/a"), std::vector<std::string>{"jails/b/root"});
  EXPECT_THROW(store->rename("templates/a", "jails/b"), std::runtime_error);
}

TEST_F(DirStoreTest, RecursiveSnapshotKeepsChildDatasetsApart) {
  store->create("jails/p/root", {});
  st::write(mp("jails/p") / "config.json", "{}\n");
  st::write(mp("jails/p/root") / "inside", "x\n");
  store->snapshot("jails/p", "r", true);
  EXPECT_EQ(store->snapshots("jails/p").size(), 1u);
  EXPECT_EQ(store->snapshots("jails/p/root").size(), 1u);
  st::write(mp("jails/p/root") / "inside", "changed\n");
  st::write(mp("jails/p") / "config.json", "{\"x\":1}\n");
  store->rollback("jails/p", "r");
  EXPECT_EQ(st::read(mp("jails/p") / "config.json"), "{}\n");
  EXPECT_EQ(st::read(mp("jails/p/root") / "inside"), "changed\n") << "the child is its own dataset";
  store->rollback("jails/p/root", "r");
  EXPECT_EQ(st::read(mp("jails/p/root") / "inside"), "x\n");
  store->destroy_snapshot("jails/p", "r", true);
  EXPECT_TRUE(store->snapshots("jails/p/root").empty());
}

TEST_F(DirStoreTest, UnenforceablePropertiesAreRefusedByName) {
  try {
    store->set_property("releases/R/root", "quota", "4G");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dir storage cannot enforce quota"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("btrfs or zfs"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(store->set_property("releases/R/root", "quota", "none"));
  EXPECT_EQ(store->get_property("releases/R/root", "quota"), "none");
  EXPECT_THROW(store->set_property("releases/R/root", "compression", "lz4"), std::runtime_error);
  EXPECT_EQ(store->get_property("releases/R/root", "compression"), "off");
  EXPECT_THROW(store->set_property("releases/R/root", "mountpoint", "/x"), std::runtime_error);
  DatasetOptions bad;
  bad.properties["reservation"] = "1G";
  EXPECT_THROW(store->create("jails/q", bad), std::runtime_error);
  EXPECT_FALSE(store->exists("jails/q")) << "nothing is created when an option is refused";
  store->set_property("releases/R/root", "org.freebsd.iocell:note", "hello");
  EXPECT_EQ(store->get_property("releases/R/root", "org.freebsd.iocell:note"), "hello");
  EXPECT_EQ(store->get_property("releases/R/root", "sharenfs"), "-");
  DatasetOptions ro;
  ro.readonly = true;
  store->create("base/R/root", ro);
  EXPECT_EQ(store->get_property("base/R/root", "readonly"), "on");
}

TEST_F(DirStoreTest, UsageCountsDataAndSnapshots) {
  auto before = store->usage("releases/R/root");
  EXPECT_GT(before.referenced, 64u * 1024);
  EXPECT_GT(before.available, 0u);
  EXPECT_FALSE(before.quota.has_value());
  st::write(mp("releases/R/root") / "big", std::string(1 << 20, 'b'));
  auto after = store->usage("releases/R/root");
  EXPECT_GE(after.referenced, before.referenced + (1u << 20));
  store->snapshot("releases/R/root", "s", false);
  EXPECT_GE(store->usage("releases/R").used, 2 * after.referenced);
  EXPECT_EQ(std::stoull(store->get_property("releases/R/root", "referenced")), store->usage("releases/R/root").referenced);
}

TEST_F(DirStoreTest, NoReplicationStream) {
  try {
    store->send("releases/R/root", "x", 1);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dir storage has no replication stream"), std::string::npos);
  }
  EXPECT_THROW(store->receive("jails/x", 0), std::runtime_error);
}

TEST_F(DirStoreTest, DryRunChangesNothing) {
  auto host = st::host_at(tmp.path() / "root");
  host.dry_run = true;
  DirStorage dry(host);
  dry.create("jails/dry/root", {});
  dry.copy("releases/R/root", "jails/dry2", {});
  dry.snapshot("releases/R/root", "dry", false);
  dry.destroy("releases/R");
  EXPECT_FALSE(store->exists("jails/dry"));
  EXPECT_FALSE(store->exists("jails/dry2"));
  EXPECT_TRUE(store->snapshots("releases/R/root").empty());
  EXPECT_TRUE(store->exists("releases/R/root"));
}

}  // namespace
