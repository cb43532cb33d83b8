// The cgroup limits for real (v1 on this machine): memory, pids, cpu and
// cpuset controls enforced on a running jail, commands that enter the jail
// joining its groups, and every group gone after stop.
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "cg_layout.hpp"
#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

using namespace std::chrono_literals;
namespace cg = plugins::cgroup;

std::filesystem::path group_of(const std::string& controller, const std::string& uuid) {
  static const cg::Layout layout = cg::host_layout();
  const cg::Hierarchy* h = layout.serving(controller);
  return h ? cg::jail_group(*h, uuid) : std::filesystem::path();
}

bool have_v1_controllers() {
  static const cg::Layout layout = cg::host_layout();
  for (const char* c : {"memory", "pids", "cpu", "cpuset"}) {
    const auto* h = layout.serving(c);
    if (!h || h->v2) return false;
  }
  return true;
}

#define REQUIRE_CGROUPS()                                                               \
  do {                                                                                  \
    IOCELL_REQUIRE_LINUX_WORLD();                                                       \
    if (!have_v1_controllers()) GTEST_SKIP() << "needs the cgroup v1 controllers";      \
  } while (0)

TEST(LinuxNsLimits, MemoryLimitKillsTheProcessThatTakesMore) {
  REQUIRE_CGROUPS();
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000001", {{"rlimits", "on"}, {"memoryuse", "32M:deny"}}));
  j.start();
  EXPECT_EQ(slurp_file(group_of("memory", j.spec.uuid) / "memory.limit_in_bytes"), std::to_string(32 << 20) + "\n");
  EXPECT_EQ(j.exec({"dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1"}).exit_code, 0) << "within the limit";
  auto hog = j.exec({"dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"});
  EXPECT_EQ(hog.exit_code, 128 + 9) << "not OOM-killed: " << hog.err;
  EXPECT_NE(slurp_file(group_of("memory", j.spec.uuid) / "memory.oom_control").find("oom_kill 1"), std::string::npos);
  EXPECT_EQ(j.out({"cat", "/proc/1/comm"}), "iocell-init") << "the OOM killer took the init";
  EXPECT_EQ(w.limits->rules(j.spec), (std::vector<std::string>{"memoryuse:deny=32M"}));
}

TEST(LinuxNsLimits, MaxprocStopsAForkBomb) {
  REQUIRE_CGROUPS();
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000002", {{"rlimits", "on"}, {"maxproc", "12:deny"}}));
  j.start();
  const auto pids = group_of("pids", j.spec.uuid);
  EXPECT_EQ(slurp_file(pids / "pids.max"), "13\n") << "12 and iocell's init";
  sdk::ExecRequest bomb;
  bomb.argv = {"sh", "-c", "b() { b | b & }; b"};
  bomb.log_to = j.spec.console_log;
  w.runtime->exec(j.spec, *j.state, bomb);
  long peak = 0;
  for (int i = 0; i < 50; ++i) {
    peak = std::max(peak, std::stol(slurp_file(pids / "pids.current")));
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_LE(peak, 13);
  EXPECT_NE(slurp_file(pids / "pids.events"), "max 0\n") << "no fork was ever refused";
  const auto t0 = std::chrono::steady_clock::now();
  j.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  EXPECT_FALSE(std::filesystem::exists(pids)) << "the group outlived the jail";
}

TEST(LinuxNsLimits, CpusetRestrictsCpus) {
  REQUIRE_CGROUPS();
  if (::sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs two CPUs";
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000003", {{"cpuset", "1"}}));
  j.start();
  EXPECT_EQ(j.out({"sh", "-c", "grep Cpus_allowed_list /proc/self/status | cut -f2"}), "1");
  EXPECT_EQ(w.limits->cpuset(j.spec, *j.state), "1");
  // Uncap gives every CPU back to the running jail.
  w.limits->remove(j.spec);
  EXPECT_EQ(w.limits->cpuset(j.spec, *j.state), "");
  EXPECT_NE(j.out({"sh", "-c", "grep Cpus_allowed_list /proc/self/status | cut -f2"}), "1");
}

TEST(LinuxNsLimits, PcpuThrottles) {
  REQUIRE_CGROUPS();
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000004", {{"rlimits", "on"}, {"pcpu", "20:deny"}}));
  j.start();
  const auto acct = group_of("cpuacct", j.spec.uuid);
  const auto before = std::stoull(slurp_file(acct / "cpuacct.usage"));
  j.exec({"timeout", "1", "sh", "-c", "while :; do :; done"});
  const double used = static_cast<double>(std::stoull(slurp_file(acct / "cpuacct.usage")) - before) / 1e9;
  EXPECT_LT(used, 0.45) << "a busy loop got " << used << " s of CPU in 1 s at pcpu=20";
  EXPECT_GT(used, 0.05);
  auto usage = w.limits->usage(j.spec, *j.state, iocell::sdk::Limits::Amounts::Exact);
  EXPECT_FALSE(usage.empty());
  EXPECT_EQ(usage.front().first, "cputime");
}

TEST(LinuxNsLimits, CommandsEnteringTheJailJoinItsGroups) {
  REQUIRE_CGROUPS();
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000005", {{"rlimits", "on"}, {"maxproc", "50:deny"}}));
  j.start();
  // Inside its cgroup namespace the jail's own groups are "/".
  auto check = [&](const sdk::JailSpec& spec) {
    sdk::ExecRequest req;
    req.argv = {"cat", "/proc/self/cgroup"};
    auto res = w.runtime->exec(spec, *j.state, req);
    for (const char* c : {":memory:/\n", ":pids:/\n", ":cpuset:/\n"}) EXPECT_NE(res.out.find(c), std::string::npos) << res.out;
  };
  check(j.spec);
  // `iocell exec` builds a fresh spec without limits.prepare: the groups
  // come from the init's record, written at start.
  sdk::JailSpec fresh = j.spec;
  fresh.attach_files.clear();
  const auto record = w.host().root / ".run" / "linux-ns" / j.spec.name;
  const std::string full = slurp_file(record);
  ASSERT_NE(full.find("\ncgroup=" + group_of("pids", j.spec.uuid).string() + "/"), std::string::npos) << full;
  check(fresh);
  // A record of an older iocell names no groups: they are found from /proc.
  std::string old;
  std::istringstream lines(full);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("cgroup", 0) != 0) old += line + "\n";
  std::ofstream(record, std::ios::trunc) << old;
  check(fresh);
  EXPECT_EQ(j.out({"sh", "-c", "cat /proc/self/cgroup | grep -c ':/$'"}).empty(), false);
}

TEST(LinuxNsLimits, UnenforceableRuleStopsTheStartAndLeavesNothing) {
  REQUIRE_CGROUPS();
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000006", {{"rlimits", "on"}, {"openfiles", "100:deny"}}));
  try {
    j.start();
    ADD_FAILURE() << "openfiles:deny was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("openfiles=100:log"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(w.runtime->running().empty());
  for (const char* c : {"memory", "pids", "cpu", "cpuset"}) EXPECT_FALSE(std::filesystem::exists(group_of(c, j.spec.uuid))) << c;
}

// A host with cgroup v2 only, made by hiding the v1 hierarchies in the
// test's mount namespace: the jail's group is <v2>/iocell/ioc-UUID, the init
// and every command join it, and it goes at stop. This machine's v2
// hierarchy has no controller of its own (they are bound to v1), so a rule
// that needs one is refused with the reason.
TEST(LinuxNsLimits, CgroupV2OnlyHost) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  const cg::Layout before = cg::host_layout();
  const cg::Hierarchy* v2 = nullptr;
  for (const auto& h : before.hierarchies)
    if (h.v2) v2 = &h;
  if (!v2) GTEST_SKIP() << "no cgroup2 mount";
  for (const auto& h : before.hierarchies)
    if (!h.v2) ASSERT_EQ(::umount2(h.mount.c_str(), MNT_DETACH), 0) << h.mount;
  plugins::cgroup::CgroupLimits limits(w.host());
  sdk::JailSpec spec = w.make_spec("33333333-aaaa-4bbb-8ccc-000000000007");
  limits.prepare(spec);
  const auto group = v2->mount / "iocell" / ("ioc-" + spec.uuid);
  ASSERT_EQ(spec.attach_files, (std::vector<std::filesystem::path>{group / "cgroup.procs"}));
  auto st = w.runtime->create(spec);
  struct Stop {
    LinuxWorld& w;
    plugins::cgroup::CgroupLimits& l;
    sdk::JailSpec& s;
    sdk::RunState st;
    ~Stop() {
      w.runtime->destroy(s, st);
      l.remove(s);
    }
  } stop{w, limits, spec, st};
  limits.apply(spec, st);
  EXPECT_NE(slurp_file(group / "cgroup.procs").find(std::to_string(st.jid)), std::string::npos);
  sdk::ExecRequest req;
  req.argv = {"cat", "/proc/self/cgroup"};
  const std::string mine = w.runtime->exec(spec, st, req).out;
  EXPECT_NE(mine.find("\n0::/\n"), std::string::npos) << "not in the jail's group: " << mine;

  sdk::JailSpec limited = spec;
  limited.props.set("rlimits", "on");
  limited.props.set("memoryuse", "32M:deny");
  try {
    limits.apply(limited, st);
    ADD_FAILURE() << "a memory limit without the memory controller was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not offer"), std::string::npos) << e.what();
  }
  w.runtime->destroy(spec, st);
  limits.remove(spec);
  EXPECT_FALSE(std::filesystem::exists(group));
}

}  // namespace
}  // namespace iocell::test
