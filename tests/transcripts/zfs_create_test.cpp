// zfs storage: the datasets of fetch, create (thick, thin, base, empty),
// templates and clones, driven the way the core and the jail types drive
// them (transcripts in tests/transcripts/zfs/).
#include "support/zfs_transcript.hpp"

using iocell::test::zfs::expect_error;
using iocell::test::zfs::Transcript;
namespace sdk = iocell::sdk;

namespace {

const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
const std::string N = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";
const std::string M = "c7d2a9b1-4e6f-4f80-b1a3-5d9e8c7b6a54";
const std::string R = "releases/14.3-RELEASE/root";

const char* const kBaseDirs[] = {"bin",     "boot",         "lib",     "libexec",     "rescue",
                                 "sbin",    "usr/bin",      "usr/include", "usr/lib", "usr/libexec",
                                 "usr/sbin", "usr/share",   "usr/src", "usr/libdata", "usr/lib32"};

sdk::DatasetOptions with(std::map<std::string, std::string> props, bool readonly = false) {
  sdk::DatasetOptions o;
  o.properties = std::move(props);
  o.readonly = readonly;
  return o;
}

}  // namespace

TEST(ZfsCreate, ReleaseDatasetsForFetch) {
  Transcript t("fetch_release");
  t.prepared();
  t.storage->create(R, {});
  t.storage->create("download/14.3-RELEASE", {});
  EXPECT_EQ(t.storage->mountpoint(R), "/iocell/releases/14.3-RELEASE/root");
  EXPECT_EQ(t.storage->mountpoint("download/14.3-RELEASE"), "/iocell/download/14.3-RELEASE");
  t.finish();
}

TEST(ZfsCreate, ThickJailIsAnIndependentStreamCopy) {
  Transcript t("create_thick");
  t.prepared();
  t.storage->create("jails/.new-" + U, {});
  t.storage->copy(R, "jails/.new-" + U + "/root", {});
  t.storage->rename("jails/.new-" + U, "jails/" + U);
  t.storage->set_property("jails/" + U, "quota", "20G");
  ASSERT_EQ(t.runner.pipelines.size(), 1u);
  const std::string snap = "ioc-copy-jails_.new-" + U + "_root";
  EXPECT_EQ(t.runner.pipelines[0], "zfs send tank/iocell/releases/14.3-RELEASE/root@" + snap +
                                       " | zfs receive tank/iocell/jails/.new-" + U + "/root");
  EXPECT_EQ(t.storage->mountpoint("jails/" + U + "/root"), "/iocell/jails/" + U + "/root");
  t.finish();
}

TEST(ZfsCreate, FailedThickCopyReportsTheReceiverAndDropsItsSnapshot) {
  Transcript t("create_thick_failed");
  t.prepared();
  expect_error([&] { t.storage->copy(R, "jails/.new-" + U + "/root", {}); },
               {"zfs receive tank/iocell/jails/.new-" + U + "/root", "out of space", "signal received"});
  t.finish();
}

TEST(ZfsCreate, CopyOfATreeSendsEachDatasetParentsFirst) {
  Transcript t("create_thick_tree");
  t.prepared();
  t.storage->copy("base/14.3-RELEASE/root", "base/14.3-RELEASE-copy", with({}, true));
  EXPECT_EQ(t.runner.pipelines.size(), 4u);
  t.finish();
}

TEST(ZfsCreate, ThinJailIsACloneOfTheRelease) {
  Transcript t("create_thin");
  t.prepared();
  t.storage->create("jails/.new-" + U, {});
  t.storage->snapshot(R, U, false);
  t.storage->clone(R, U, "jails/.new-" + U + "/root", {});
  t.storage->rename("jails/.new-" + U, "jails/" + U);
  EXPECT_EQ(t.storage->origin("jails/" + U + "/root"), R + "@" + U);
  EXPECT_EQ(t.storage->origin(R), "");
  t.finish();
}

TEST(ZfsCreate, BaseJailIsReadOnlyClonesReclonedAtStart) {
  Transcript t("create_base");
  t.prepared();
  const std::string staging = "jails/.new-" + U, jail = "jails/" + U;
  const std::string base = "base/14.3-RELEASE/root";
  t.storage->create(staging, {});
  t.storage->create(staging + "/root", {});
  t.storage->create(staging + "/root/usr", {});
  t.storage->snapshot(base, U, true);
  for (const char* d : kBaseDirs) t.storage->clone(base + "/" + d, U, staging + "/root/" + d, with({}, true));
  t.storage->rename(staging, jail);
  EXPECT_EQ(t.storage->mountpoint(jail + "/root/usr/bin"), "/iocell/jails/" + U + "/root/usr/bin");

  // before_start: the storage-neutral basejail type re-clones.
  for (const char* d : kBaseDirs) {
    EXPECT_TRUE(t.storage->dependents(jail + "/root/" + d).empty());
    t.storage->destroy(jail + "/root/" + d);
  }
  t.storage->destroy_snapshot(base, U, true);
  t.storage->snapshot(base, U, true);
  for (const char* d : kBaseDirs) t.storage->clone(base + "/" + d, U, jail + "/root/" + d, with({}, true));
  EXPECT_EQ(t.storage->origin(jail + "/root/usr/bin"), base + "/usr/bin@" + U);
  EXPECT_EQ(t.storage->origin(jail + "/root/usr"), "");
  t.finish();
}

TEST(ZfsCreate, EmptyJail) {
  Transcript t("create_empty");
  t.prepared();
  t.storage->create("jails/.new-" + U, {});
  t.storage->create("jails/.new-" + U + "/root", {});
  t.storage->rename("jails/.new-" + U, "jails/" + U);
  t.finish();
}

TEST(ZfsCreate, TemplateOnAndOffMovesTheDataset) {
  Transcript t("template");
  t.prepared();
  EXPECT_TRUE(t.storage->dependents("jails/" + U).empty());
  t.storage->rename("jails/" + U, "templates/" + U);
  EXPECT_EQ(t.storage->mountpoint("templates/" + U), "/iocell/templates/" + U);
  EXPECT_TRUE(t.storage->dependents("templates/" + U).empty());
  t.storage->rename("templates/" + U, "jails/" + U);
  EXPECT_TRUE(t.storage->exists("jails/" + U + "/root"));
  EXPECT_FALSE(t.storage->exists("templates/" + U));
  // A template with a clone: the caller refuses template=no from this answer.
  EXPECT_EQ(t.storage->dependents("templates/" + M), std::vector<std::string>{"jails/" + N + "/root"});
  EXPECT_EQ(t.storage->origin("jails/" + N + "/root"), "templates/" + M + "/root@" + N);
  t.finish();
}

TEST(ZfsCreate, CloneOfAJailAndFromAnExistingSnapshot) {
  Transcript t("clone_jail");
  t.prepared();
  const std::string src = "jails/" + U + "/root";
  t.storage->snapshot(src, N, false);
  t.storage->create("jails/.new-" + N, {});
  t.storage->clone(src, N, "jails/.new-" + N + "/root", {});
  t.storage->rename("jails/.new-" + N, "jails/" + N);

  auto snaps = t.storage->snapshots(src);
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_EQ(snaps[0].name, "before");
  t.storage->create("jails/.new-" + M, {});
  t.storage->clone(src, "before", "jails/.new-" + M + "/root", {});
  t.storage->rename("jails/.new-" + M, "jails/" + M);
  t.storage->clone("jails/" + U + "/data", M, "jails/" + M + "/data", with({{"jailed", "on"}, {"mountpoint", "none"}}));
  t.finish();
}
