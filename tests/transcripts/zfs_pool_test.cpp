// zfs storage: finding, adopting and activating the pool (transcripts in
// tests/transcripts/zfs/init_*.txt and activate_*.txt).
#include "support/zfs_transcript.hpp"

using iocell::test::zfs::expect_error;
using iocell::test::zfs::Transcript;

TEST(ZfsPool, PreparedHostCostsNoProcessAtAll) {
  Transcript t("init_prepared");
  t.prepared();
  t.storage->initialize();
  t.storage->initialize();  // idempotent, still nothing to run
  EXPECT_EQ(t.storage->pool(), "tank");
  EXPECT_EQ(t.storage->mountpoint("jails/x/root"), "/iocell/jails/x/root");
  EXPECT_EQ(t.storage->mountpoint(""), "/iocell");
  EXPECT_TRUE(t.runner.seen().empty());
  t.finish();
}

TEST(ZfsPool, PreparedHostUnderAnotherRoot) {
  Transcript t("init_prepared", "/srv/iocell/");
  t.prepared("data");
  t.storage->initialize();
  EXPECT_EQ(t.storage->pool(), "data");
  EXPECT_EQ(t.storage->mountpoint("releases/14.3-RELEASE/root"), "/srv/iocell/releases/14.3-RELEASE/root");
  t.finish();
}

TEST(ZfsPool, FreshPoolsAskForActivate) {
  Transcript t("init_fresh_pool");
  expect_error([&] { t.storage->initialize(); }, {"no pool is active", "iocell activate POOL", "tank, zroot"});
  t.finish();
}

TEST(ZfsPool, PoolCommentedByInitHostIsAdoptedAndPrepared) {
  Transcript t("init_commented_pool");
  t.storage->initialize();
  EXPECT_EQ(t.storage->pool(), "tank");
  t.finish();
}

TEST(ZfsPool, ActivePoolNotMountedIsMounted) {
  Transcript t("init_active_not_mounted");
  t.storage->initialize();
  EXPECT_EQ(t.storage->pool(), "tank");
  t.finish();
}

TEST(ZfsPool, ShellIocellHostIsAdoptedWithOneListing) {
  Transcript t("init_adopt_shell_host");
  t.probe->mounts["/iocell"] = "zroot/iocell";
  for (const char* c : {"jails", "releases", "templates", "download"}) t.probe->mounts[std::string("/iocell/") + c] = std::string("zroot/iocell/") + c;
  t.probe->non_empty = {"/iocell/images", "/iocell/log"};
  t.storage->initialize();
  EXPECT_EQ(t.storage->pool(), "zroot");
  EXPECT_NE(t.logged().find("keeping /iocell/images as a directory"), std::string::npos) << t.logged();
  EXPECT_NE(t.logged().find("keeping /iocell/log as a directory"), std::string::npos) << t.logged();
  t.finish();
}

TEST(ZfsPool, TwoMarkedPoolsAreNotGuessed) {
  Transcript t("init_several_marked");
  expect_error([&] { t.storage->initialize(); }, {"several pools", "tank/iocell", "backup/iocell", "iocell activate"});
  t.finish();
}

TEST(ZfsPool, NoPoolAtAll) {
  Transcript t("init_no_pool");
  expect_error([&] { t.storage->initialize(); }, {"no ZFS pool", "zpool create", "iocell activate"});
  t.finish();
}

TEST(ZfsPool, MissingZpoolToolIsNamed) {
  Transcript t("init_zpool_missing");
  expect_error([&] { t.storage->initialize(); }, {"zpool cannot be run", "No such file or directory", "zfs(8) and zpool(8)"});
  t.finish();
}

TEST(ZfsPool, MissingZfsToolIsNamed) {
  Transcript t("zfs_missing");
  t.prepared();
  expect_error([&] { t.storage->snapshots("jails/9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10/root"); }, {"zfs cannot be run", "FreeBSD"});
  t.finish();
}

TEST(ZfsPool, ActivateMovesTheOldTreeAwayThenCreatesTheNewOne) {
  Transcript t("activate_new_pool");
  t.storage->activate("tank");
  EXPECT_EQ(t.storage->pool(), "tank");
  t.storage->initialize();  // already done: nothing more runs
  t.finish();
}

TEST(ZfsPool, ActivateSwitchesBackToAnExistingTree) {
  Transcript t("activate_existing");
  t.storage->activate("zroot");
  EXPECT_EQ(t.storage->pool(), "zroot");
  t.finish();
}

TEST(ZfsPool, ActivateOfAnUnknownPoolChangesNothing) {
  Transcript t("activate_unknown_pool");
  expect_error([&] { t.storage->activate("tenk"); }, {"no pool named 'tenk'", "tank, zroot"});
  t.finish();
}
