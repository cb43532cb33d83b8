// iocell inuse and iocell limits with no target, run as the real binary on a
// transcript FreeBSD host (iocell-scripted with IOCELL_TRANSCRIPT): every running iocell jail,
// none of another tool's, none stopped (tests/transcripts/rctl/{inuse,limits}_all.txt).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

const std::string U1 = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";  // www, running
const std::string U2 = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";  // db, running
const std::string U3 = "5c2d7e10-1a2b-4c3d-8e4f-5a6b7c8d9e0f";  // idle, stopped

class AllJails : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [uuid, tag] : {std::pair{U1, "www"}, {U2, "db"}, {U3, "idle"}}) {
      fs::create_directories(root() / "jails" / uuid / "root");
      std::ofstream(root() / "jails" / uuid / "config.json")
          << R"({"uuid": ")" << uuid << R"(", "tag": ")" << tag
          << R"(", "type": "thickjail", "release": "14.2-RELEASE", "rlimits": "on", "memoryuse": "4G:deny"})";
    }
  }
  fs::path root() const { return dir.path() / "iocell"; }
  iocell::test::CliResult run(const std::string& command, const std::string& transcript) {
    return iocell::test::run_iocell(root(), {command},
                                    {{"IOCELL_HOST_OS", "freebsd"},
                                     {"IOCELL_STORAGE", "dir"},
                                     {"IOCELL_TRANSCRIPT", std::string(IOCELL_TRANSCRIPT_DIR) + "/rctl/" + transcript},
                                     {"IOCELL_TRANSCRIPT_VARS", "U1=" + U1 + ";U2=" + U2 + ";ROOT=" + root().string()}},
                                    "", IOCELL_SCRIPTED_BINARY);
  }

  iocell::test::TempDir dir{"iocell-cli-limits"};
};

TEST_F(AllJails, InuseIsOneCsvRowPerRunningJail) {
  auto r = run("inuse", "inuse_all.txt");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "UUID,TAG,cputime,memoryuse,maxproc,pcpu\n" + U2 + ",db,3,41M,4,-\n" + U1 + ",www,12,83M,9,0\n");
}

TEST_F(AllJails, LimitsListsRulesAndCpuSetOfEachRunningJail) {
  auto r = run("limits", "limits_all.txt");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "* Active limits for jail: " + U2 + " (db)\n  - memoryuse:deny=4096M\n* CPU set: all\n"
                   "* Active limits for jail: " + U1 + " (www)\n  - memoryuse:deny=4096M\n  - pcpu:log=20\n* CPU set: 0\n");
}

}  // namespace
