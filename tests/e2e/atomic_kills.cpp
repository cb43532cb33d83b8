// Crash safety on dir storage: snapshot, clone, destroy and rollback of the
// real binary, SIGKILLed at spread delays. Whatever the moment, `list`
// shows a jail whole or not at all, a snapshot `snaplist` shows restores
// every dataset, and `clean` removes what the kills left.
#include <random>

#include "support/atomic_kill.hpp"
#include "support/data_e2e.hpp"

using iocell::test::storage::read;
using iocell::test::storage::write;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

class AtomicKillsE2E : public iocell::test::data::DataE2E {
 protected:
  static constexpr int kFiles = 400;

  // Enough files that copying a root takes long enough to be killed in.
  void fill(const std::string& uuid, const std::string& marker) {
    fs::create_directories(jail_root(uuid) / "etc");
    for (int i = 0; i < kFiles; ++i) write(jail_root(uuid) / "payload" / (std::to_string(i) + ".bin"), std::string(4096, 'x'));
    write(jail_root(uuid) / "marker", marker);
  }

  bool killed(const std::vector<std::string>& args, microseconds delay) {
    return iocell::test::atomic::run_killed(root, args, delay, {{"IOCELL_STORAGE", "dir"}});
  }

  microseconds timed(const std::vector<std::string>& args) {
    const auto t0 = steady_clock::now();
    ok(args);
    return duration_cast<microseconds>(steady_clock::now() - t0);
  }

  /// UUID -> tag of every listed jail.
  std::map<std::string, std::string> listed() {
    std::map<std::string, std::string> out;
    for (const auto& line : jails()) {
      std::vector<std::string> cols;
      std::istringstream in(line);
      for (std::string c; std::getline(in, c, '\t');) cols.push_back(c);
      if (cols.size() > 4) out[cols[1]] = cols[4];
    }
    return out;
  }

  /// Every listed jail has its config and the whole root it was made with.
  void expect_whole(const std::string& when) {
    ok({"df"});  // mounts the roots of clones a kill left unmounted
    for (const auto& [u, tag] : listed()) {
      EXPECT_TRUE(fs::exists(home(u) / "config.json")) << when << ": " << u;
      EXPECT_TRUE(fs::exists(jail_root(u) / "marker")) << when << ": listed jail " << u << " has no whole root";
      EXPECT_TRUE(fs::exists(jail_root(u) / "payload" / (std::to_string(kFiles - 1) + ".bin")))
          << when << ": listed jail " << u << " has part of its root";
    }
  }
};

TEST_F(AtomicKillsE2E, KilledSnapshotCloneDestroyAndRollbackLeaveWholeJailsAndCleanRemovesTheRest) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (overlay clones, private mount namespace)";
  const std::string src = create({"-e", "tag=src"});
  fill(src, "base");
  const auto t_snap = timed({"snapshot", "src@probe"});
  const auto t_clone = timed({"clone", "src", "tag=probe"});
  const auto t_destroy = timed({"destroy", "-f", "probe"});
  ok({"snapremove", "src@probe"});
  const auto t_rollback = [&] {
    ok({"snapshot", "src@base"});
    write(jail_root(src) / "marker", "changed");
    const auto t = timed({"rollback", "-f", "src@base"});
    EXPECT_EQ(read(jail_root(src) / "marker"), "base");
    return t;
  }();

  std::mt19937 rng(12345);
  const auto pick = [&](microseconds full) {
    return microseconds(std::uniform_int_distribution<long>(0, full.count() + full.count() / 4)(rng));
  };
  const auto deadline = steady_clock::now() + seconds(35);
  int kills = 0;
  for (int i = 0; steady_clock::now() < deadline; ++i) {
    const std::string round = std::to_string(i);
    switch (i % 4) {
      case 0: {
        // The root holds `round` when the snapshot starts: a listed
        // snapshot must give it back.
        write(jail_root(src) / "marker", "snap" + round);
        kills += killed({"snapshot", "src@s" + round}, pick(t_snap));
        write(jail_root(src) / "marker", "after" + round);
        const auto names = snapshot_names("src");
        const bool listed_snap = std::find(names.begin(), names.end(), "s" + round) != names.end();
        auto r = run({"rollback", "-f", "src@s" + round});
        if (listed_snap) {
          EXPECT_EQ(r.code, 0) << r.err;
          EXPECT_EQ(read(jail_root(src) / "marker"), "snap" + round) << "a listed snapshot restores the root";
        } else {
          EXPECT_NE(r.code, 0) << "rollback to an unlisted (partial) snapshot s" << round << " is refused";
          EXPECT_EQ(read(jail_root(src) / "marker"), "after" + round);
        }
        write(jail_root(src) / "marker", "base");
        break;
      }
      case 1:
        kills += killed({"clone", "src", "tag=c" + round}, pick(t_clone));
        break;
      case 2: {
        for (const auto& [u, tag] : listed()) {
          if (tag == "src") continue;
          kills += killed({"destroy", "-f", u}, pick(t_destroy));
          break;
        }
        break;
      }
      case 3:
        write(jail_root(src) / "marker", "changed");
        kills += killed({"rollback", "-f", "src@base"}, pick(t_rollback));
        // Whole or not yet: the rollback again (or clean) finishes it.
        ok({"rollback", "-f", "src@base"});
        EXPECT_EQ(read(jail_root(src) / "marker"), "base");
        break;
    }
    expect_whole("round " + round);
    if (HasFailure()) break;
  }
  EXPECT_GT(kills, 10) << "the delays should interrupt commands, not only follow them";

  ok({"clean"});
  expect_whole("after clean");
  std::vector<fs::path> roots;
  for (const auto& [u, tag] : listed()) roots.push_back(jail_root(u));
  const auto left = iocell::test::atomic::temp_leftovers(root, roots);
  EXPECT_TRUE(left.empty()) << "clean left " << left.size() << " temporary names, first: " << (left.empty() ? "" : left.front());
  // Nothing unlisted stays in jails/.
  const auto now = listed();
  for (const auto& e : fs::directory_iterator(root / "jails"))
    EXPECT_TRUE(now.count(e.path().filename().string())) << "unlisted " << e.path();
}

}  // namespace
