// zfs storage: destroy, snapshots, rollback, promote, properties, jailed
// datasets and hack88 (transcripts in tests/transcripts/zfs/).
#include "support/zfs_transcript.hpp"

using iocell::test::zfs::expect_error;
using iocell::test::zfs::Transcript;
namespace sdk = iocell::sdk;

namespace {
const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
const std::string N = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";
const std::string M = "c7d2a9b1-4e6f-4f80-b1a3-5d9e8c7b6a54";
const std::string B = "5a8e3c21-7f4d-4b9a-8e62-1c0d3f5a7b98";
}  // namespace

TEST(ZfsLifecycle, DestroyWithDependentClonesIsRefusedNamingThem) {
  Transcript t("destroy_refused");
  t.prepared();
  expect_error([&] { t.storage->destroy("jails/" + U); },
               {"cannot destroy jails/" + U, "jails/" + N + "/root (cloned from jails/" + U + "/root@" + N + ")",
                "jails/" + M + "/root (cloned from jails/" + U + "/root@before)", "promote"});
  // The clone inside U's own tree (data) is no obstacle and not a dependent.
  EXPECT_EQ(t.storage->dependents("jails/" + U), (std::vector<std::string>{"jails/" + N + "/root", "jails/" + M + "/root"}));
  EXPECT_TRUE(t.storage->dependents("jails/" + N).empty());
  t.finish();
}

TEST(ZfsLifecycle, DestroyOfACloneRemovesItsUnusedOriginSnapshot) {
  Transcript t("destroy_clone");
  t.prepared();
  // The core's sequence (core/src/ops/destroy.cpp).
  const std::string jail = "jails/" + N;
  ASSERT_TRUE(t.storage->dependents(jail).empty());
  const std::string origin = t.storage->origin(jail + "/root");
  ASSERT_EQ(origin, "jails/" + U + "/root@" + N);
  t.storage->destroy(jail);
  const std::string src = origin.substr(0, origin.find('@')), snap = origin.substr(origin.find('@') + 1);
  ASSERT_TRUE(t.storage->exists(src));
  EXPECT_FALSE(t.storage->exists(jail + "/root"));
  bool used = false;
  for (const auto& d : t.storage->dependents(src)) used = used || t.storage->origin(d) == origin;
  EXPECT_FALSE(used);
  t.storage->destroy_snapshot(src, snap, false);
  EXPECT_EQ(t.runner.seen().size(), 3u);
  t.finish();
}

TEST(ZfsLifecycle, SnapshotsAreTakenListedOldestFirstAndRemoved) {
  Transcript t("snapshots");
  t.prepared();
  const std::string root = "jails/" + U + "/root";
  t.storage->snapshot(root, "before-upgrade", false);
  t.storage->snapshot("jails/" + U, "ioc-2025-03-01_10:00:00", true);
  auto snaps = t.storage->snapshots(root);
  ASSERT_EQ(snaps.size(), 3u);
  EXPECT_EQ(snaps[0].name, N);
  EXPECT_EQ(snaps[0].created, 1740736800);
  EXPECT_EQ(snaps[0].referenced, 1371537408u);
  EXPECT_EQ(snaps[0].used, 65536u);
  EXPECT_EQ(snaps[1].name, "before-upgrade");  // same second as the next: zfs's order is kept
  EXPECT_EQ(snaps[2].name, "ioc-2025-03-01_10:00:00");
  EXPECT_EQ(snaps[1].used, 1212416u);
  t.storage->destroy_snapshot(root, "before-upgrade", false);
  t.storage->destroy_snapshot("jails/" + U, "ioc-2025-03-01_10:00:00", true);
  t.finish();
}

TEST(ZfsLifecycle, RollbackNeverDestroysClones) {
  Transcript t("rollback");
  t.prepared();
  t.storage->rollback("jails/" + U + "/root", "before-upgrade");
  try {
    t.storage->rollback("jails/" + U + "/root", "ioc-old");
    FAIL() << "no error";
  } catch (const sdk::CommandFailed& e) {
    EXPECT_NE(std::string(e.what()).find("clones of previous snapshots exist"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("zfs rollback -r tank/iocell/jails/" + U + "/root@ioc-old"), std::string::npos);
  }
  t.finish();
}

TEST(ZfsLifecycle, PromoteEveryCloneOfTheTreeButNotBasejailClones) {
  Transcript t("promote");
  t.prepared();
  t.storage->promote("jails/" + N);
  EXPECT_EQ(t.storage->origin("jails/" + U + "/root"), "jails/" + N + "/root@" + N);
  t.storage->promote("jails/" + B);
  EXPECT_NE(t.logged().find("read-only clone of the release base"), std::string::npos) << t.logged();
  t.finish();
}

TEST(ZfsLifecycle, QuotaReservationGetAndUsage) {
  Transcript t("quota");
  t.prepared();
  const std::string jail = "jails/" + U;
  t.storage->set_property(jail, "quota", "10G");
  t.storage->set_property(jail, "reservation", "none");
  EXPECT_EQ(t.storage->get_property(jail, "quota"), "10G");
  EXPECT_EQ(t.storage->get_property(jail, "reservation"), "none");
  EXPECT_EQ(t.storage->get_property(jail, "compressratio"), "1.52x");
  EXPECT_EQ(t.storage->get_property(jail, "origin"), "-");
  EXPECT_EQ(t.storage->get_property(jail, "creation"), "Sat Mar  1 10:00 2025");
  EXPECT_EQ(t.storage->get_property(jail, "used"), "1.28G");
  auto u = t.storage->usage(jail);
  EXPECT_EQ(u.used, 1374389534u);
  EXPECT_EQ(u.available, 86436216832u);
  EXPECT_EQ(u.referenced, 98304u);
  ASSERT_TRUE(u.quota.has_value());
  EXPECT_EQ(*u.quota, 10737418240u);
  EXPECT_FALSE(u.reservation.has_value());
  EXPECT_DOUBLE_EQ(u.compressratio, 1.52);
  t.finish();
}

TEST(ZfsLifecycle, JailedDataDatasetNeverMountsOnTheHost) {
  Transcript t("jailed_data");
  t.prepared();
  sdk::DatasetOptions jailed;
  jailed.properties = {{"jailed", "on"}};
  t.storage->create("jails/" + U + "/data", jailed);
  jailed.properties["mountpoint"] = "/data";
  t.storage->create("jails/" + N + "/data", jailed);
  t.storage->set_property("jails/" + N + "/data", "mountpoint", "/srv");
  // A jailed dataset's mountpoint is a path inside the jail, not one on the host.
  EXPECT_EQ(t.storage->mountpoint("jails/" + N + "/data"), "/iocell/jails/" + N + "/data");
  t.finish();
}

TEST(ZfsLifecycle, Hack88ShortMountpointAndBack) {
  Transcript t("hack88");
  t.prepared();
  const std::string jail = "jails/" + U, short_mp = "/iocell/jails/" + U.substr(0, 8);
  t.storage->set_property(jail, "mountpoint", short_mp);
  EXPECT_EQ(t.storage->mountpoint(jail), short_mp);
  EXPECT_EQ(t.storage->mountpoint(jail + "/root/usr/bin"), short_mp + "/root/usr/bin");
  EXPECT_EQ(t.storage->mountpoint("jails/" + N + "/root"), "/iocell/jails/" + N + "/root");
  t.storage->set_property(jail, "mountpoint", "/iocell/jails/" + U);
  EXPECT_EQ(t.storage->mountpoint(jail + "/root"), "/iocell/jails/" + U + "/root");
  t.finish();
}
