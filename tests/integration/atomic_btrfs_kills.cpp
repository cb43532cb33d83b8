// Crash safety on btrfs (a loop device in a private mount namespace) with
// the real binary: rollback, clone and destroy SIGKILLed at spread delays.
// After `clean`, every jail is listed with its whole root or gone, and no
// temporary subvolume is left.
#include <gtest/gtest.h>

#include <random>

#include "support/atomic_kill.hpp"
#include "support/fetch_release_builder.hpp"
#include "support/run_iocell.hpp"
#include "support/storage_btrfs.hpp"

namespace fs = std::filesystem;
namespace st = iocell::test::storage;
using namespace std::chrono;

namespace {

class AtomicBtrfsKills : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
    disk = std::make_unique<st::LoopBtrfs>(768);
    root = disk->mount() / "iocell";
  }
  void TearDown() override {
    if (disk) run({"stop", "ALL"});
  }

  iocell::test::CliResult run(std::vector<std::string> args) { return iocell::test::run_iocell(root, std::move(args)); }
  iocell::test::CliResult ok(std::vector<std::string> args) { return iocell::test::expect_success(args, run(args)); }
  microseconds timed(const std::vector<std::string>& args) {
    const auto t0 = steady_clock::now();
    ok(args);
    return duration_cast<microseconds>(steady_clock::now() - t0);
  }
  /// UUID -> tag of every listed jail.
  std::map<std::string, std::string> listed() {
    std::map<std::string, std::string> out;
    std::istringstream in(ok({"list", "-H"}).out);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> cols;
      std::istringstream ls(line);
      for (std::string c; std::getline(ls, c, '\t');) cols.push_back(c);
      if (cols.size() > 4) out[cols[1]] = cols[4];
    }
    return out;
  }
  fs::path jail_root(const std::string& uuid) { return root / "jails" / uuid / "root"; }

  std::unique_ptr<st::LoopBtrfs> disk;
  fs::path root;
};

TEST_F(AtomicBtrfsKills, KilledRollbackCloneAndDestroyLeaveWholeJailsAfterClean) {
  ok({"create", "-e", "tag=src"});
  const std::string src = listed().begin()->first;
  for (int i = 0; i < 200; ++i) st::write(jail_root(src) / "payload" / (std::to_string(i) + ".bin"), std::string(4096, 'x'));
  st::write(jail_root(src) / "marker", "base");
  ok({"snapshot", "src@base"});
  st::write(jail_root(src) / "marker", "changed");
  const auto t_rollback = timed({"rollback", "-f", "src@base"});
  ASSERT_EQ(st::read(jail_root(src) / "marker"), "base");
  const auto t_clone = timed({"clone", "src", "tag=probe"});
  const auto t_destroy = timed({"destroy", "-f", "probe"});

  std::mt19937 rng(4242);
  const auto pick = [&](microseconds full) {
    return microseconds(std::uniform_int_distribution<long>(0, full.count() + full.count() / 4)(rng));
  };
  const auto deadline = steady_clock::now() + seconds(30);
  int kills = 0;
  for (int i = 0; steady_clock::now() < deadline; ++i) {
    const std::string round = std::to_string(i);
    if (i % 3 == 0) {
      st::write(jail_root(src) / "marker", "changed");
      kills += iocell::test::atomic::run_killed(root, {"rollback", "-f", "src@base"}, pick(t_rollback), {});
    } else if (i % 3 == 1) {
      kills += iocell::test::atomic::run_killed(root, {"clone", "src", "tag=c" + round}, pick(t_clone), {});
    } else {
      for (const auto& [u, tag] : listed()) {
        if (tag == "src") continue;
        kills += iocell::test::atomic::run_killed(root, {"destroy", "-f", u}, pick(t_destroy), {});
        break;
      }
    }
    ok({"clean"});
    const auto now = listed();
    ASSERT_TRUE(now.count(src)) << "round " << round << ": the rolled-back jail is gone from list";
    for (const auto& [u, tag] : now) {
      EXPECT_TRUE(fs::exists(jail_root(u) / "payload" / "199.bin")) << "round " << round << ": " << tag << " has no whole root";
      const std::string marker = st::read(jail_root(u) / "marker");
      EXPECT_TRUE(marker == "base" || marker == "changed") << "round " << round << ": " << tag << " marker '" << marker << "'";
    }
    const auto left = iocell::test::atomic::temp_leftovers(root, {});
    EXPECT_TRUE(left.empty()) << "round " << round << ": clean left " << left.front();
    for (const auto& e : fs::directory_iterator(root / "jails"))
      EXPECT_TRUE(now.count(e.path().filename().string())) << "round " << round << ": unlisted " << e.path();
    if (HasFailure()) break;
  }
  EXPECT_GT(kills, 10) << "the delays should interrupt commands, not only follow them";
  ok({"rollback", "-f", "src@base"});
  EXPECT_EQ(st::read(jail_root(src) / "marker"), "base");
}

}  // namespace
