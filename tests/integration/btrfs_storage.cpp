// The btrfs storage backend on a real btrfs (a loop device made here):
// subvolumes, read-only snapshots, clones, copies, rollback, exclusive
// quotas, asynchronous deletes, send/receive.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "btrfs_storage.hpp"
#include "support/storage_btrfs.hpp"

namespace {

using iocell::plugins::btrfs::BtrfsStorage;
using iocell::plugins::btrfs::is_subvolume;
using iocell::plugins::btrfs::subvol_info;
using iocell::sdk::DatasetOptions;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;

/// Writes `mb` MiB of incompressible data; returns 0 or the errno that stopped it.
int fill(const fs::path& p, int mb) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  std::string block(1 << 20, '\0');
  unsigned seed = 12345;
  int err = 0;
  for (int i = 0; i < mb && !err; ++i) {
    for (auto& c : block) c = static_cast<char>((seed = seed * 1103515245 + 12345) >> 16);
    for (size_t off = 0; off < block.size() && !err;) {
      ssize_t n = ::write(fd, block.data() + off, block.size() - off);
      if (n < 0) err = errno;
      else off += static_cast<size_t>(n);
    }
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  return err;
}

class BtrfsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
    loop = std::make_unique<st::LoopBtrfs>(768);
    runner = std::make_unique<iocell::core::PosixRunner>();
    host = st::host_at(loop->mount() / "iocell");
    host.runner = runner.get();
    store = std::make_unique<BtrfsStorage>(host);
    store->initialize();
    store->create("releases/R/root", {});
    st::make_release(store->mountpoint("releases/R/root"), true);
  }
  void TearDown() override {
    store.reset();
    loop.reset();
  }
  fs::path mp(const std::string& ds) { return store->mountpoint(ds); }

  std::unique_ptr<st::LoopBtrfs> loop;
  std::unique_ptr<iocell::core::PosixRunner> runner;
  iocell::sdk::HostContext host;
  std::unique_ptr<BtrfsStorage> store;
};

TEST_F(BtrfsStoreTest, DatasetsAreSubvolumesAndSnapshotsAreReadOnly) {
  EXPECT_TRUE(is_subvolume(mp("releases/R")));
  EXPECT_TRUE(is_subvolume(mp("releases/R/root")));
  store->snapshot("releases/R/root", "s1", false);
  const fs::path snap = loop->mount() / "iocell/.snapshots/releases%2FR%2Froot/s1";
  ASSERT_TRUE(is_subvolume(snap));
  EXPECT_TRUE(subvol_info(snap).readonly);
  EXPECT_NE(fill(snap / "x", 1), 0) << "a snapshot must refuse writes";
  auto snaps = store->snapshots("releases/R/root");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "s1");
  EXPECT_LE(std::abs(snaps[0].created - static_cast<std::int64_t>(::time(nullptr))), 5);
  EXPECT_GT(snaps[0].referenced, 64u * 1024);
}

TEST_F(BtrfsStoreTest, CloneIsWritableTrackedAndBlocksDestroyUntilPromoted) {
  store->snapshot("releases/R/root", "u1", false);
  store->create("jails/u1", {});
  store->clone("releases/R/root", "u1", "jails/u1/root", {});
  const fs::path root = mp("jails/u1/root");
  ASSERT_TRUE(is_subvolume(root));
  EXPECT_FALSE(subvol_info(root).readonly);
  st::write(root / "etc/rc.conf", "hostname=\"u1\"\n");
  EXPECT_EQ(st::read(mp("releases/R/root") / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(store->origin("jails/u1/root"), "releases/R/root@u1");
  EXPECT_EQ(store->dependents("releases/R"), std::vector<std::string>{"jails/u1/root"});

  try {
    store->destroy("releases/R");
    FAIL() << "destroy with a dependent clone must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("jails/u1/root"), std::string::npos) << e.what();
  }
  try {
    store->destroy_snapshot("releases/R/root", "u1", false);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("jails/u1/root"), std::string::npos) << e.what();
  }
  store->promote("jails/u1/root");
  EXPECT_EQ(store->origin("jails/u1/root"), "");
  store->destroy("releases/R");
  EXPECT_FALSE(fs::exists(mp("releases/R")));
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"u1\"\n");
  EXPECT_EQ(st::read(root / "usr/share/misc/termcap"), "vt100|dec vt100\n");
}

TEST_F(BtrfsStoreTest, CopyIsAnIndependentSubvolumeOfFreshInodes) {
  store->copy("releases/R/root", "jails/t/root", {});
  const fs::path root = mp("jails/t/root");
  ASSERT_TRUE(is_subvolume(root));
  EXPECT_EQ(store->origin("jails/t/root"), "");
  EXPECT_EQ(st::read(root / "etc/passwd"), st::read(mp("releases/R/root") / "etc/passwd"));
  EXPECT_EQ(st::lstat_of(root / "usr/bin/su").st_mode & 07777, 04555u);
  EXPECT_EQ(st::lstat_of(root / "bin/echo").st_ino, st::lstat_of(root / "bin/echo2").st_ino);
  EXPECT_EQ(fs::read_symlink(root / "bin/sh"), "busybox");
  store->destroy("releases/R");  // nothing depends on it
  EXPECT_EQ(st::read(root / "lib/libc.so.7").size(), 64u * 1024);
}

TEST_F(BtrfsStoreTest, RollbackKeepsChildDatasetsAndDropsLaterSnapshots) {
  store->create("jails/p/root", {});
  st::write(mp("jails/p") / "config.json", "{}\n");
  st::write(mp("jails/p/root") / "inside", "x\n");
  store->snapshot("jails/p", "a", false);
  store->snapshot("jails/p", "b", false);
  st::write(mp("jails/p") / "config.json", "{\"changed\":1}\n");
  st::write(mp("jails/p") / "extra", "y\n");
  store->rollback("jails/p", "a");
  EXPECT_EQ(st::read(mp("jails/p") / "config.json"), "{}\n");
  EXPECT_FALSE(fs::exists(mp("jails/p") / "extra"));
  EXPECT_EQ(st::read(mp("jails/p/root") / "inside"), "x\n") << "the child dataset survives its parent's rollback";
  EXPECT_TRUE(is_subvolume(mp("jails/p/root")));
  auto snaps = store->snapshots("jails/p");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "a");
}

TEST_F(BtrfsStoreTest, ExclusiveQuotaLetsACloneWriteUpToItsOwnLimit) {
  // The release alone is larger than the quota: a referenced limit would
  // make the clone unwritable at once; the exclusive one must not.
  ASSERT_EQ(fill(mp("releases/R/root") / "usr/share/big", 40), 0);
  store->snapshot("releases/R/root", "q1", false);
  DatasetOptions opts;
  opts.properties["quota"] = "24M";
  store->clone("releases/R/root", "q1", "jails/q1/root", opts);
  const fs::path root = mp("jails/q1/root");
  // Shown as set took it (and as zfs get shows it), not in bytes.
  EXPECT_EQ(store->get_property("jails/q1/root", "quota"), "24M");
  EXPECT_EQ(fill(root / "small", 8), 0);
  EXPECT_EQ(fill(root / "big", 64), EDQUOT);
  fs::remove(root / "big");
  auto u = store->usage("jails/q1/root");
  ASSERT_TRUE(u.quota.has_value());
  EXPECT_EQ(*u.quota, 24u << 20);
  EXPECT_GE(u.referenced, 40u << 20);
  store->set_property("jails/q1/root", "quota", "none");
  EXPECT_EQ(store->get_property("jails/q1/root", "quota"), "none");
  EXPECT_EQ(fill(root / "big", 40), 0);
}

TEST_F(BtrfsStoreTest, QuotaOnAJailDatasetLimitsItsRoot) {
  // The core sets the quota on jails/<uuid>; the data lives in its child.
  store->snapshot("releases/R/root", "q2", false);
  store->create("jails/q2", {});
  store->clone("releases/R/root", "q2", "jails/q2/root", {});
  store->set_property("jails/q2", "quota", "16M");
  EXPECT_EQ(store->get_property("jails/q2", "quota"), "16M");
  EXPECT_EQ(fill(mp("jails/q2/root") / "big", 48), EDQUOT);
}

TEST_F(BtrfsStoreTest, DestroyWaitsForTheCleanerBeforeReportingSpace) {
  store->copy("releases/R/root", "jails/d/root", {});
  ASSERT_EQ(fill(mp("jails/d/root") / "data", 100), 0);
  const auto before = store->usage("releases/R/root").available;
  store->destroy("jails/d");
  EXPECT_FALSE(fs::exists(mp("jails/d")));
  const auto after = store->usage("releases/R/root").available;
  EXPECT_GE(after, before + (70u << 20)) << "usage must wait for btrfs subvolume sync";
}

TEST_F(BtrfsStoreTest, NestedSubvolumesMadeInsideAJailGoWithIt) {
  store->create("jails/n/root", {});
  iocell::core::PosixRunner run;
  run.check({"btrfs", "subvolume", "create", (mp("jails/n/root") / "inner").string()});
  run.check({"btrfs", "subvolume", "create", (mp("jails/n/root") / "inner/deeper").string()});
  store->destroy("jails/n");
  EXPECT_FALSE(fs::exists(mp("jails/n")));
}

TEST_F(BtrfsStoreTest, SendAndReceiveRoundTrip) {
  st::write(mp("releases/R/root") / "etc/motd", "sent\n");
  store->snapshot("releases/R/root", "export", false);
  const fs::path stream = loop->mount() / "stream.bin";
  int fd = ::open(stream.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  store->send("releases/R/root", "export", fd);
  ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
  store->receive("imported/x/root", fd);
  ::close(fd);
  EXPECT_EQ(st::read(mp("imported/x/root") / "etc/motd"), "sent\n");
  EXPECT_FALSE(subvol_info(mp("imported/x/root")).readonly);
  auto snaps = store->snapshots("imported/x/root");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "export");
}

TEST_F(BtrfsStoreTest, RenameMovesSnapshotsAndOrigins) {
  store->create("jails/a/root", {});
  store->snapshot("jails/a", "s", true);
  store->clone("jails/a/root", "s", "jails/b/root", {});
  store->rename("jails/a", "templates/a");
  EXPECT_TRUE(is_subvolume(mp("templates/a/root")));
  EXPECT_EQ(store->snapshots("templates/a/root").size(), 1u);
  EXPECT_EQ(store->origin("jails/b/root"), "templates/a/root@s");
  EXPECT_EQ(store->dependents("templates/a"), std::vector<std::string>{"jails/b/root"});
}

// Renames read the clone records only when the renamed datasets are marked
// as clone sources; a root from before the marks is marked on first use.
TEST_F(BtrfsStoreTest, OriginsFollowARenamedSourceMarkedOrNot) {
  store->create("jails/a/root", {});
  ASSERT_TRUE(store->clone_current("jails/a/root", "jails/b/root", {}));
  EXPECT_EQ(store->origin("jails/b/root"), "jails/a/root@");
  store->rename("jails/a", "templates/a");
  EXPECT_EQ(store->origin("jails/b/root"), "templates/a/root@");
  EXPECT_EQ(store->dependents("templates/a"), std::vector<std::string>{"jails/b/root"});

  // An older root: no marks, no marker file.
  const fs::path records = host.root / ".datasets";
  fs::remove(records / ".sources-marked");
  iocell::sdk::records::RecordStore plain(records, false);
  auto src = plain.load("templates/a/root");
  ASSERT_TRUE(src.has_value());
  src->source = false;
  plain.save("templates/a/root", *src);
  store = std::make_unique<BtrfsStorage>(host);
  store->rename("templates/a", "jails/a");
  EXPECT_EQ(store->origin("jails/b/root"), "jails/a/root@");
  EXPECT_TRUE(fs::exists(records / ".sources-marked"));
  EXPECT_TRUE(plain.load("jails/a/root")->source);

  // An unmarked dataset is renamed without touching the clones' records.
  store->create("jails/c", {});
  store->rename("jails/c", "jails/d");
  EXPECT_EQ(store->origin("jails/b/root"), "jails/a/root@");
}

TEST_F(BtrfsStoreTest, PropertiesBtrfsCannotHonourAreRefused) {
  EXPECT_THROW(store->set_property("releases/R/root", "reservation", "1G"), std::runtime_error);
  EXPECT_NO_THROW(store->set_property("releases/R/root", "reservation", "none"));
  try {
    store->set_property("releases/R/root", "compression", "lz4");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("zstd"), std::string::npos) << e.what();
  }
  store->set_property("releases/R/root", "compression", "zstd");
  EXPECT_EQ(store->get_property("releases/R/root", "compression"), "zstd");
  EXPECT_THROW(store->set_property("releases/R/root", "quota", "lots"), std::invalid_argument);
  store->set_property("releases/R/root", "readonly", "on");
  EXPECT_EQ(store->get_property("releases/R/root", "readonly"), "on");
  EXPECT_NE(fill(mp("releases/R/root") / "x", 1), 0);
}

}  // namespace

// The btrfs plugin claims a root on btrfs, even one not made yet, and no
// other: the core holds no filesystem magic of its own.
TEST_F(BtrfsStoreTest, ProbeClaimsOnlyRootsOnBtrfs) {
  EXPECT_EQ(store->probe(loop->mount() / "iocell"), 10);
  EXPECT_EQ(store->probe(loop->mount() / "not/made/yet"), 10);
  EXPECT_EQ(store->probe("/proc"), 0);
}
