// What a rollback killed before its swap leaves on btrfs, reproduced step
// by step: the snapshot's writable copy under a temporary name, with some
// of the dataset's children already moved into it. The next rollback of
// that dataset, or clean, puts the children back and removes the copy.
#include <gtest/gtest.h>

#include <cstdio>

#include <iocell/sdk/temp_names.hpp>

#include "btrfs_storage.hpp"
#include "support/storage_btrfs.hpp"

namespace {

using iocell::plugins::btrfs::BtrfsStorage;
using iocell::plugins::btrfs::is_subvolume;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;
namespace tn = iocell::sdk::temp_names;

class AtomicBtrfsSettle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
    loop = std::make_unique<st::LoopBtrfs>(512);
    runner = std::make_unique<iocell::core::PosixRunner>();
    host = st::host_at(loop->mount() / "iocell");
    host.runner = runner.get();
    store = std::make_unique<BtrfsStorage>(host);
    store->initialize();
    store->create("jails/j", {});
    store->create("jails/j/root", {});
    st::write(store->mountpoint("jails/j") / "config.json", "{\"v\":1}\n");
    st::write(store->mountpoint("jails/j/root") / "marker", "base");
    store->snapshot("jails/j", "s1", true);
    st::write(store->mountpoint("jails/j") / "config.json", "{\"v\":2}\n");
  }
  void TearDown() override {
    store.reset();
    loop.reset();
  }
  // The state a kill leaves after the root moved into the fresh copy.
  fs::path half_rollback() {
    const fs::path home = store->mountpoint("jails/j");
    const fs::path tmp = home.parent_path() / tn::make(tn::kRollback, "j");
    runner->check({"btrfs", "-q", "subvolume", "snapshot", (loop->mount() / "iocell/.snapshots/jails%2Fj/s1").string(), tmp.string()});
    fs::remove(tmp / "root");
    EXPECT_EQ(std::rename((home / "root").c_str(), (tmp / "root").c_str()), 0);
    EXPECT_FALSE(store->exists("jails/j/root")) << "the state a kill leaves: the jail without its root";
    return tmp;
  }
  std::vector<std::string> leftovers() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(loop->mount() / "iocell/jails"))
      if (e.path().filename().string().rfind(".iocell-", 0) == 0) out.push_back(e.path().string());
    return out;
  }

  std::unique_ptr<st::LoopBtrfs> loop;
  std::unique_ptr<iocell::core::PosixRunner> runner;
  iocell::sdk::HostContext host;
  std::unique_ptr<BtrfsStorage> store;
};

TEST_F(AtomicBtrfsSettle, CleanPutsTheChildrenBackAndRemovesTheCopy) {
  const fs::path tmp = half_rollback();
  const auto done = store->clean_leftovers([](const std::string&) { return true; });
  EXPECT_EQ(done.size(), 1u);
  EXPECT_TRUE(is_subvolume(store->mountpoint("jails/j/root")));
  EXPECT_EQ(st::read(store->mountpoint("jails/j/root") / "marker"), "base");
  EXPECT_EQ(st::read(store->mountpoint("jails/j") / "config.json"), "{\"v\":2}\n") << "undone: the home was not swapped yet";
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(AtomicBtrfsSettle, ABusyJailIsLeftAloneAndTheNextRollbackSettlesIt) {
  half_rollback();
  EXPECT_TRUE(store->clean_leftovers([](const std::string& ds) { return ds != "jails/j"; }).empty());
  EXPECT_EQ(leftovers().size(), 1u);
  store->rollback("jails/j", "s1");
  EXPECT_TRUE(is_subvolume(store->mountpoint("jails/j/root")));
  EXPECT_EQ(st::read(store->mountpoint("jails/j/root") / "marker"), "base");
  EXPECT_EQ(st::read(store->mountpoint("jails/j") / "config.json"), "{\"v\":1}\n");
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(AtomicBtrfsSettle, RollbackSwapsInOneStepAndLeavesNothing) {
  store->rollback("jails/j", "s1");
  EXPECT_EQ(st::read(store->mountpoint("jails/j") / "config.json"), "{\"v\":1}\n");
  EXPECT_EQ(st::read(store->mountpoint("jails/j/root") / "marker"), "base");
  EXPECT_TRUE(leftovers().empty());
}

}  // namespace
