// The dir storage after a kill, reproduced by leaving exactly what a kill
// at one step leaves: a snapshot set with a member missing, a rename that
// stopped before publishing, a rollback that stopped halfway, copies under
// temporary names. None of it is listed or accepted; clean_leftovers
// settles all of it.
#include <gtest/gtest.h>

#include <iocell/sdk/temp_names.hpp>

#include "dir_storage.hpp"
#include "support/storage_fixture.hpp"

namespace {

using iocell::plugins::dir::DirStorage;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;
namespace tn = iocell::sdk::temp_names;

class AtomicDirStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::make_unique<DirStorage>(st::host_at(root()));
    store->set_overlay_clones(false);
    store->initialize();
    store->create("jails/j", {});
    store->create("jails/j/root", {});
    st::write(store->mountpoint("jails/j") / "config.json", "{}\n");
    st::write(store->mountpoint("jails/j/root") / "marker", "base");
  }
  fs::path root() const { return tmp.path() / "root"; }
  fs::path snaps(const std::string& escaped) const { return root() / ".snapshots" / escaped; }
  std::vector<std::string> names(const std::string& ds) {
    std::vector<std::string> out;
    for (const auto& s : store->snapshots(ds)) out.push_back(s.name);
    return out;
  }
  std::vector<std::string> clean() {
    return store->clean_leftovers([](const std::string&) { return true; });
  }

  st::ScratchDir tmp{"atomic-dirstore"};
  std::unique_ptr<DirStorage> store;
};

TEST_F(AtomicDirStore, APartOfASnapshotSetIsNeitherListedNorRolledBackTo) {
  store->snapshot("jails/j", "s1", true);
  EXPECT_EQ(names("jails/j"), std::vector<std::string>{"s1"});
  // A kill after the home's copy was published and before the root's.
  fs::remove_all(snaps("jails%2Fj%2Froot") / "s1");
  st::write(store->mountpoint("jails/j/root") / "marker", "after");
  EXPECT_TRUE(names("jails/j").empty()) << "the home alone is not the jail's snapshot";
  EXPECT_THROW(store->rollback("jails/j", "s1"), std::runtime_error);
  EXPECT_EQ(st::read(store->mountpoint("jails/j/root") / "marker"), "after");
  const auto done = clean();
  EXPECT_FALSE(done.empty());
  EXPECT_FALSE(fs::exists(snaps("jails%2Fj") / "s1")) << "clean removes the part";
  store->snapshot("jails/j", "s1", true);  // and the name is free again
  EXPECT_EQ(names("jails/j/root"), std::vector<std::string>{"s1"});
}

TEST_F(AtomicDirStore, ASnapshotSetFollowsItsDatasetsThroughARename) {
  store->snapshot("jails/j", "s1", true);
  store->rename("jails/j", "templates/j");  // set template=yes
  EXPECT_EQ(names("templates/j"), std::vector<std::string>{"s1"});
  EXPECT_EQ(names("templates/j/root"), std::vector<std::string>{"s1"});
  st::write(store->mountpoint("templates/j/root") / "marker", "after");
  store->rollback("templates/j/root", "s1");
  EXPECT_EQ(st::read(store->mountpoint("templates/j/root") / "marker"), "base");
}

TEST_F(AtomicDirStore, CleanRemovesCopiesInFluxAndFinishesARollback) {
  store->snapshot("jails/j", "s1", true);
  st::write(store->mountpoint("jails/j/root") / "marker", "changed");
  // A rollback of the root killed after its journal, before the sync ended.
  st::write(snaps("jails%2Fj%2Froot") / tn::make(tn::kRollback, "s1"), "s1\n");
  fs::create_directories(snaps("jails%2Fj") / tn::make(tn::kSnap, "s2") / "data");
  fs::create_directories(snaps("jails%2Fj") / tn::make(tn::kGone, "s0") / "data");
  fs::create_directories(root() / "jails" / tn::make(tn::kClone, "k"));
  fs::create_directories(store->mountpoint("jails/j") / tn::make(tn::kCopy, "root"));
  clean();
  EXPECT_EQ(st::read(store->mountpoint("jails/j/root") / "marker"), "base") << "the interrupted rollback was finished";
  std::vector<std::string> left;
  for (const auto& e : fs::recursive_directory_iterator(root()))
    if (e.path().filename().string().rfind(".iocell-", 0) == 0) left.push_back(e.path().string());
  EXPECT_TRUE(left.empty()) << left.front();
  EXPECT_EQ(names("jails/j"), std::vector<std::string>{"s1"}) << "whole snapshots stay";
}

TEST_F(AtomicDirStore, CleanDropsRecordsARenameWroteBeforeItsPublishingRename) {
  store->create("jails/.new-k", {});
  store->create("jails/.new-k/root", {});
  store->rename("jails/.new-k", "jails/k");
  EXPECT_TRUE(store->exists("jails/k/root"));
  EXPECT_FALSE(store->exists("jails/.new-k"));
  // Records under a new name with no directory: a kill just before the
  // publishing rename.
  store->create("jails/gone", {});
  fs::remove(root() / "jails/gone");
  clean();
  EXPECT_FALSE(store->exists("jails/gone"));
  EXPECT_TRUE(store->exists("jails/k/root")) << "published datasets keep their records";
  EXPECT_EQ(store->get_property("jails/k", "readonly"), "off");
}

}  // namespace
