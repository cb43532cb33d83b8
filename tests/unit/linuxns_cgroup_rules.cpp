// Where a Linux jail's cgroups go and what gets written there, for cgroup
// v1 (this machine), systemd's hybrid layout and pure v2.
#include <gtest/gtest.h>

#include "cg_layout.hpp"
#include "cg_rules.hpp"

namespace iocell::plugins::cgroup {
namespace {

const std::string kV1Mounts =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "42 31 0:32 / /mnt/again rw,relatime - cgroup cgroup rw,memory\n";
const std::string kV1Self = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/5d01\n3:cpuset:/\n2:cpu,cpuacct:/\n0::/\n";

Layout v1_layout() {
  return parse_layout(kV1Mounts, kV1Self, [](const std::filesystem::path&) { return std::string("hugetlb\n"); });
}

TEST(CgroupLayout, V1HierarchiesAndNestedMemory) {
  Layout l = v1_layout();
  ASSERT_NE(l.serving("memory"), nullptr);
  EXPECT_FALSE(l.serving("memory")->v2);
  EXPECT_EQ(l.serving("cpu"), l.serving("cpuacct")) << "co-mounted controllers share a hierarchy";
  EXPECT_EQ(l.used().size(), 4u) << "memory, pids, cpu+cpuacct, cpuset; not systemd, not the controller-less v2";
  EXPECT_EQ(jail_group(*l.serving("memory"), "u1"), "/sys/fs/cgroup/memory/process_api/5d01/iocell/ioc-u1");
  EXPECT_EQ(jail_group(*l.serving("pids"), "u1"), "/sys/fs/cgroup/pids/iocell/ioc-u1");
}

TEST(CgroupLayout, PureV2) {
  const std::string mounts = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
  Layout l = parse_layout(mounts, "0::/user.slice/session-1.scope\n",
                          [](const std::filesystem::path&) { return std::string("cpuset cpu io memory pids\n"); });
  ASSERT_EQ(l.used().size(), 1u);
  EXPECT_TRUE(l.serving("memory")->v2);
  EXPECT_EQ(l.serving("cpuacct"), nullptr) << "v2 has no cpuacct: cpu.stat serves";
  // Not below the caller's own group: that one holds processes.
  EXPECT_EQ(jail_group(*l.serving("pids"), "u2"), "/sys/fs/cgroup/iocell/ioc-u2");
}

PlanContext v1_context() {
  PlanContext c;
  c.v2 = [](const std::string&) { return false; };
  c.available = [](const std::string&) { return true; };
  c.v1_memsw = true;
  c.all_cpus = "0-3";
  c.online = {0, 1, 2, 3};
  return c;
}

std::string value_of(const LimitPlan& p, const std::string& file, size_t nth = 0) {
  for (const auto& w : p.writes)
    if (w.file == file && nth-- == 0) return w.value;
  return "<absent>";
}

TEST(CgroupRules, V1LimitsFromRctlProperties) {
  sdk::PropertyMap props({{"rlimits", "on"}, {"memoryuse", "4G:deny"}, {"pcpu", "20:deny"}, {"maxproc", "50:deny"},
                          {"nthr", "80:deny"}, {"swapuse", "1G:deny"}, {"cputime", "3600:log"}, {"cpuset", "1,3"}});
  auto p = plan_limits(props, v1_context());
  EXPECT_EQ(value_of(p, "memory.memsw.limit_in_bytes", 0), "-1") << "lifted before the memory limit changes";
  EXPECT_EQ(value_of(p, "memory.limit_in_bytes"), std::to_string(4ULL << 30));
  EXPECT_EQ(value_of(p, "memory.memsw.limit_in_bytes", 1), std::to_string(5ULL << 30));
  EXPECT_EQ(value_of(p, "cpu.cfs_quota_us"), "20000");
  EXPECT_EQ(value_of(p, "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(value_of(p, "pids.max"), "51") << "the lower of maxproc and nthr, plus iocell's init";
  EXPECT_EQ(value_of(p, "cpuset.cpus"), "1,3");
  std::vector<std::string> texts;
  for (const auto& r : p.rules) texts.push_back(r.text() + (r.enforced ? "" : " (log)"));
  EXPECT_EQ(texts, (std::vector<std::string>{"cputime:log=3600 (log)", "memoryuse:deny=4G", "maxproc:deny=50", "swapuse:deny=1G",
                                             "nthr:deny=80", "pcpu:deny=20"}));
}

TEST(CgroupRules, OffResetsEverything) {
  sdk::PropertyMap props({{"rlimits", "off"}, {"memoryuse", "4G:deny"}, {"cpuset", "off"}});
  auto p = plan_limits(props, v1_context());
  EXPECT_EQ(value_of(p, "memory.limit_in_bytes"), "-1");
  EXPECT_EQ(value_of(p, "pids.max"), "max");
  EXPECT_EQ(value_of(p, "cpu.cfs_quota_us"), "-1");
  EXPECT_EQ(value_of(p, "cpuset.cpus"), "0-3");
  EXPECT_TRUE(p.rules.empty());
}

TEST(CgroupRules, V2Files) {
  PlanContext c = v1_context();
  c.v2 = [](const std::string&) { return true; };
  c.v2_swap = true;
  sdk::PropertyMap props({{"rlimits", "on"}, {"memoryuse", "512M:sigkill"}, {"pcpu", "150:deny"}, {"swapuse", "64M:deny"}});
  auto p = plan_limits(props, c);
  EXPECT_EQ(value_of(p, "memory.max"), std::to_string(512ULL << 20));
  EXPECT_EQ(value_of(p, "memory.swap.max"), std::to_string(64ULL << 20));
  EXPECT_EQ(value_of(p, "cpu.max"), "150000 100000");
  EXPECT_EQ(value_of(p, "pids.max"), "max");
}

TEST(CgroupRules, RefusesWhatLinuxCannotEnforce) {
  auto refused = [](std::map<std::string, std::string> m, const std::string& needle) {
    m["rlimits"] = "on";
    try {
      plan_limits(sdk::PropertyMap(m), v1_context());
      ADD_FAILURE() << "accepted " << m.rbegin()->first;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  refused({{"openfiles", "1024:deny"}}, "RLIMIT_NOFILE is per process");
  refused({{"readbps", "10M:throttle"}}, "readbps=off");
  refused({{"memoryuse", "1G:sigterm"}}, "memoryuse=1G:log");
  refused({{"maxproc", "10:sighup"}}, "only refuses forks");
  refused({{"cpuset", "7"}}, "CPU 7 is not available");
  // Recorded only: no error, no write.
  auto p = plan_limits(sdk::PropertyMap({{"rlimits", "on"}, {"openfiles", "1024:log"}, {"vmemoryuse", "1G:devctl"}}), v1_context());
  EXPECT_EQ(p.rules.size(), 2u);
  EXPECT_FALSE(p.rules[0].enforced);
}

TEST(CgroupRules, SwapOnV1NeedsAMemoryLimit) {
  EXPECT_THROW(plan_limits(sdk::PropertyMap({{"rlimits", "on"}, {"swapuse", "1G:deny"}}), v1_context()), std::runtime_error);
  PlanContext no_memory = v1_context();
  no_memory.available = [](const std::string& c) { return c != "memory"; };
  EXPECT_THROW(plan_limits(sdk::PropertyMap({{"rlimits", "on"}, {"memoryuse", "1G:deny"}}), no_memory), std::runtime_error);
}

TEST(CgroupRules, Amounts) {
  EXPECT_EQ(parse_amount("4G"), 4ULL << 30);
  EXPECT_EQ(parse_amount("1.5k"), 1536u);
  EXPECT_EQ(parse_amount("512MB"), 512ULL << 20);
  EXPECT_EQ(parse_amount("20"), 20u);
  EXPECT_THROW(parse_amount("4X"), std::runtime_error);
  EXPECT_THROW(parse_amount("G"), std::runtime_error);
  EXPECT_EQ(parse_cpu_list("0-2,5\n"), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_THROW(parse_cpu_list("3-1"), std::runtime_error);
}

}  // namespace
}  // namespace iocell::plugins::cgroup
