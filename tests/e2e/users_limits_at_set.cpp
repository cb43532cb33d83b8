// Limits and other values as a user meets them, end to end with the real
// binary on `dir` storage and this Linux host's cgroup limits: `set` refuses
// what a later start would fail on, and a running jail gets a changed limit
// at once, as the man page says (issue 17, items 4 and 9).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "../../cli/exit_codes.hpp"
#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using iocell::test::CliResult;
using iocell::test::run_iocell;
using iocell::test::trim;

namespace {

class LimitsAtSet : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "iocell create needs root";
    auto r = run({"create", "-e", "tag=www"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  iocell::test::TempDir dir{"iocell-e2e-limits-at-set"};
  fs::path root = dir.path() / "root";

  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args), {{"IOCELL_STORAGE", "dir"}}); }
};

TEST_F(LimitsAtSet, ValuesAStartWouldFailOnAreRefusedAndChangeNothing) {
  // Linux cgroups have no per-jail read rate: the cgroup plugin says so.
  const std::string too_many_cpus = "0," + std::to_string(std::thread::hardware_concurrency());
  for (const std::string& a : std::vector<std::string>{"readbps=1M:throttle", "cpuset=" + too_many_cpus, "exec_start=",
                                                       "exec_jail_user=", "hostid=", "login_flags=", "ftpfiles="}) {
    const std::string name = a.substr(0, a.find('='));
    const std::string before = trim(run({"get", name, "www"}).out);
    auto r = run({"set", a, "www"});
    EXPECT_EQ(r.code, iocell::cli::kExitUsage) << a << ": " << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << a << ": " << r.err;
    EXPECT_EQ(trim(run({"get", name, "www"}).out), before) << a;
  }
  EXPECT_NE(run({"set", "readbps=1M:throttle", "www"}).err.find("cgroup"), std::string::npos);
  EXPECT_NE(run({"set", "cpuset=" + too_many_cpus, "www"}).err.find("does not exist"), std::string::npos);
  EXPECT_EQ(run({"set", "exec_start=", "default"}).code, iocell::cli::kExitUsage);

  // What the host can do is still taken.
  for (const char* a : {"cpuset=0", "readbps=1M:log", "rlimits=on", "exec_start=/bin/sh /etc/rc"}) {
    auto r = run({"set", a, "www"});
    EXPECT_EQ(r.code, 0) << a << ": " << r.err;
  }
}

TEST_F(LimitsAtSet, ARunningJailGetsAChangedLimitAtOnce) {
  ASSERT_EQ(run({"start", "www"}).code, 0);
  auto limits = [&] { return run({"limits", "www"}).out; };

  ASSERT_EQ(run({"set", "cpuset=0", "www"}).code, 0);
  EXPECT_NE(limits().find("* CPU set: 0\n"), std::string::npos) << limits();
  // cap is for rlimits=on, as docs/exit-codes.md says: a cpuset needs none.
  auto cap = run({"cap", "www"});
  EXPECT_EQ(cap.code, iocell::cli::kExitFailure) << cap.out;
  EXPECT_NE(cap.err.find("rlimits is off"), std::string::npos) << cap.err;

  ASSERT_EQ(run({"set", "memoryuse=64M:deny", "rlimits=on", "www"}).code, 0);
  EXPECT_NE(limits().find("memoryuse:deny"), std::string::npos) << limits();
  ASSERT_EQ(run({"set", "rlimits=off", "www"}).code, 0);
  EXPECT_EQ(limits().find("memoryuse:deny"), std::string::npos) << limits();

  ASSERT_EQ(run({"set", "cpuset=off", "www"}).code, 0);
  EXPECT_NE(limits().find("* CPU set: all\n"), std::string::npos) << limits();
  EXPECT_EQ(run({"stop", "www"}).code, 0);
}

}  // namespace
