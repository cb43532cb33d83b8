// rctl limits against FreeBSD command transcripts (tests/transcripts/rctl/).
#include <gtest/gtest.h>

#include <functional>

#include "rctl_limits.hpp"
#include "support/freebsd_rig.hpp"
#include "support/error_of.hpp"

namespace {

using iocell::plugins::rctl::RctlLimits;
using iocell::sdk::RunState;
using iocell::test::FreebsdRig;

RunState state_of(const FreebsdRig& rig, std::int64_t jid) {
  RunState st;
  st.name = rig.spec.name;
  st.jid = jid;
  return st;
}

using iocell::test::error_of;

void only_limit(FreebsdRig& rig, const std::string& res, const std::string& value) {
  rig.spec.props.set("memoryuse", "off");  // the built-in default is 8G:log
  rig.spec.props.set(res, value);
}

TEST(FreebsdRctl, ApplyAddsEveryRuleInOneCallAndTheCpuset) {
  FreebsdRig rig;
  rig.spec.props.set("rlimits", "on");
  rig.spec.props.set("memoryuse", "4G:deny");
  rig.spec.props.set("pcpu", "20:log");
  rig.spec.props.set("cpuset", "0-1");
  rig.load("rctl/apply_memoryuse_pcpu.txt");
  RctlLimits limits(rig.host);
  limits.apply(rig.spec, state_of(rig, 7));
  rig.expect_done();
}

TEST(FreebsdRctl, RlimitsOffAppliesNoRuleButStillTheCpuset) {
  FreebsdRig rig;
  rig.spec.props.set("memoryuse", "4G:deny");
  rig.spec.props.set("cpuset", "2");
  rig.runner.expect({"cpuset", "-l", "2", "-j", "7"});
  RctlLimits limits(rig.host);
  limits.apply(rig.spec, state_of(rig, 7));
  rig.expect_done();
}

TEST(FreebsdRctl, DisabledRacctSaysHowToEnableIt) {
  FreebsdRig rig;
  rig.spec.props.set("rlimits", "on");
  only_limit(rig, "memoryuse", "4G:deny");
  rig.load("rctl/racct_disabled.txt");
  RctlLimits limits(rig.host);
  const std::string err = error_of([&] { limits.apply(rig.spec, state_of(rig, 7)); });
  EXPECT_NE(err.find("kern.racct.enable=1"), std::string::npos) << err;
  EXPECT_NE(err.find("/boot/loader.conf"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdRctl, UncapWithNothingToRemoveSucceeds) {
  FreebsdRig rig;
  rig.load("rctl/uncap_nothing.txt");
  RctlLimits limits(rig.host);
  limits.remove(rig.spec);
  rig.expect_done();
}

TEST(FreebsdRctl, RemoveReportsRealFailures) {
  FreebsdRig rig;
  rig.runner.expect({"rctl", "-r", "jail:" + rig.spec.name}, "", 1, "rctl: failed to remove rule: Operation not permitted\n");
  RctlLimits limits(rig.host);
  EXPECT_NE(error_of([&] { limits.remove(rig.spec); }).find("Operation not permitted"), std::string::npos);
}

TEST(FreebsdRctl, LimitsCpusetAndUsageAreParsed) {
  FreebsdRig rig;
  rig.load("rctl/limits_cpuset_usage.txt");
  RctlLimits limits(rig.host);
  EXPECT_EQ(limits.rules(rig.spec), (std::vector<std::string>{"memoryuse:deny=4096M", "pcpu:log=20"}));
  EXPECT_EQ(limits.cpuset(rig.spec, state_of(rig, 7)), "0-1");
  auto usage = limits.usage(rig.spec, state_of(rig, 7), iocell::sdk::Limits::Amounts::Human);
  ASSERT_EQ(usage.size(), 25u);
  EXPECT_EQ(usage[0], std::make_pair(std::string("cputime"), std::string("12")));
  EXPECT_EQ(usage[4], std::make_pair(std::string("memoryuse"), std::string("83M")));
  EXPECT_EQ(usage[24].first, "writeiops");
  rig.expect_done();
}

TEST(FreebsdRctl, ExactUsageForScriptsIsRctlWithoutH) {
  FreebsdRig rig;
  rig.load("rctl/usage_exact.txt");
  RctlLimits limits(rig.host);
  auto usage = limits.usage(rig.spec, state_of(rig, 7), iocell::sdk::Limits::Amounts::Exact);
  ASSERT_EQ(usage.size(), 5u);
  EXPECT_EQ(usage[2], std::make_pair(std::string("memoryuse"), std::string("87031808")));
  rig.expect_done();
}

TEST(FreebsdRctl, AMaskOfEveryCpuIsNoRestriction) {
  FreebsdRig rig;
  rig.load("rctl/cpuset_all.txt");
  RctlLimits limits(rig.host);
  EXPECT_EQ(limits.cpuset(rig.spec, state_of(rig, 7)), "");
  rig.expect_done();
}

TEST(FreebsdRctl, DecimalAmountsBecomeExactIntegers) {
  FreebsdRig rig;
  rig.spec.props.set("rlimits", "on");
  only_limit(rig, "vmemoryuse", "1.5G:deny");
  rig.runner.expect({"rctl", "-r", "jail:" + rig.spec.name});
  rig.runner.expect({"rctl", "-a", "jail:" + rig.spec.name + ":vmemoryuse:deny=1610612736"});
  RctlLimits limits(rig.host);
  limits.apply(rig.spec, state_of(rig, 7));
  rig.expect_done();
}

}  // namespace
