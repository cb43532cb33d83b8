// A btrfs clone whose origin snapshot is gone can still be destroyed (the
// real binary on a loop device in a private mount namespace).
#include <gtest/gtest.h>

#include <iocell/core/config_store.hpp>

#include "support/run_iocell.hpp"
#include "support/storage_btrfs.hpp"

namespace fs = std::filesystem;
namespace st = iocell::test::storage;

namespace {

TEST(MiscBtrfsOrigin, ACloneWhoseOriginSnapshotIsGoneCanBeDestroyed) {
  if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
  st::LoopBtrfs disk(256);
  const fs::path root = disk.mount() / "iocell";
  auto run = [&](std::vector<std::string> args) { return iocell::test::run_iocell(root, std::move(args)); };
  ASSERT_EQ(run({"create", "-e", "tag=src"}).code, 0);
  auto r = run({"clone", "src", "tag=copy"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_NE(iocell::core::read_file(root / "iocell.json").find("btrfs"), std::string::npos);
  const std::string c = r.out.substr(r.out.find("Successfully created: ") + 22, 36);

  // The snapshot subvolume named after the clone, removed behind iocell's back.
  fs::path snap;
  for (const auto& e : fs::recursive_directory_iterator(root / ".snapshots"))
    if (e.path().filename() == c) snap = e.path();
  ASSERT_FALSE(snap.empty()) << "no origin snapshot named " << c;
  iocell::core::PosixRunner runner;
  ASSERT_TRUE(runner.run({"btrfs", "subvolume", "delete", snap.string()}).ok());

  r = run({"destroy", "-f", "copy"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("was already gone"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root / "jails" / c));
  EXPECT_EQ(run({"destroy", "-f", "src"}).code, 0);
}

}  // namespace
