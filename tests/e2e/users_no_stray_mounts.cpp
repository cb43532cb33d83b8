// A stopped jail holds no mounts: whatever a command mounts to read or
// write a stopped clone (dir storage overlays, a recording) is gone when the
// command ends; only a running jail keeps its root mounted (issue 17, item 8).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;

class NoStrayMountsE2E : public DataE2E {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: overlay clones are real mounts";
    DataE2E::SetUp();
  }

  /// Mount points at or below the iocell root, as this namespace sees them.
  std::vector<std::string> mounts_below_root() const {
    std::ifstream in("/proc/self/mountinfo");
    std::vector<std::string> points;
    const std::string top = root.string();
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string id, parent, dev, mroot, point;
      if (!(words >> id >> parent >> dev >> mroot >> point)) continue;
      if (point == top || point.rfind(top + "/", 0) == 0) points.push_back(point);
    }
    return points;
  }

  std::string describe(const std::vector<std::string>& points) const {
    std::string s;
    for (const auto& p : points) s += "\n  " + p;
    return s;
  }

  /// Runs a command that must succeed and must leave nothing mounted.
  void no_mounts_after(const std::vector<std::string>& args) {
    ok(args);
    const auto left = mounts_below_root();
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    EXPECT_TRUE(left.empty()) << "iocell" << cmd << " left mounted:" << describe(left);
  }
};

TEST_F(NoStrayMountsE2E, CommandsOnAStoppedCloneLeaveNothingMounted) {
  fetch();
  const std::string thin = create({"-c", "tag=thin", std::string("release=") + kRelease});
  ASSERT_FALSE(thin.empty());
  EXPECT_TRUE(mounts_below_root().empty()) << "create -c left mounted:" << describe(mounts_below_root());
  no_mounts_after({"snapshot", "thin@first"});
  no_mounts_after({"list"});
  no_mounts_after({"df"});
  no_mounts_after({"clone", "thin@first", "tag=second"});
  no_mounts_after({"export", "thin"});
  no_mounts_after({"rollback", "-f", "thin@first"});
  no_mounts_after({"set", "host_hostname=thinhost", "thin"});
  no_mounts_after({"record", "start", "thin"});

  // Running, the jail keeps its root and the recording resumes; stopped
  // again, it holds nothing.
  ok({"start", "thin"});
  EXPECT_FALSE(mounts_below_root().empty()) << "a running clone has its root mounted";
  ok({"exec", "thin", "sh", "-c", "echo kept > /root/made-while-recording"});
  EXPECT_EQ(iocell::test::storage::read(home(thin) / "recorded/root/made-while-recording"), "kept\n");
  no_mounts_after({"stop", "thin"});
  no_mounts_after({"record", "stop", "thin"});

}

}  // namespace
