// iocell doctor's FreeBSD checks against command transcripts
// (tests/transcripts/doctor/): each plugin's own checks, with a fix for
// each failure.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fbsd_checks.hpp"
#include "jail_checks.hpp"
#include "rctl_checks.hpp"
#include "support/freebsd_rig.hpp"

namespace {

using iocell::sdk::HostCheck;
using iocell::test::FreebsdRig;

const HostCheck* find(const std::vector<HostCheck>& checks, const std::string& name) {
  for (const auto& c : checks)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(FreebsdDoctor, ForwardsNeedPfTheAnchorsForwardingAndTheBridges) {
  FreebsdRig rig;
  rig.spec.props.set("vnet", "on");
  rig.spec.props.set("interfaces", "vnet0:bridge0,vnet1:bridge7");
  rig.spec.props.set("createbridge", "off");
  rig.spec.props.set("ip4_addr", "vnet0|10.1.1.10/24");
  rig.spec.props.set("rdr", "tcp(em0|203.0.113.5):80->80");
  rig.load("doctor/freebsd_net_forwards.txt");
  const auto checks = iocell::plugins::freebsd_net::NetChecks(rig.host).checks({rig.spec});
  rig.expect_done();
  ASSERT_EQ(checks.size(), 4u);
  const HostCheck* pf = find(checks, "pf");
  ASSERT_TRUE(pf);
  EXPECT_FALSE(pf->ok);
  EXPECT_NE(pf->fix.find("anchor \"iocell/*\" (with the filter rules)"), std::string::npos) << pf->fix;
  EXPECT_EQ(pf->fix.find("rdr-anchor"), std::string::npos) << "rdr-anchor is referenced: " << pf->fix;
  const HostCheck* fwd = find(checks, "net.inet.ip.forwarding");
  ASSERT_TRUE(fwd);
  EXPECT_FALSE(fwd->ok);
  EXPECT_NE(fwd->fix.find("sysctl net.inet.ip.forwarding=1"), std::string::npos);
  EXPECT_TRUE(find(checks, "bridge bridge0")->ok);
  EXPECT_FALSE(find(checks, "bridge bridge7")->ok);
  EXPECT_NE(find(checks, "bridge bridge7")->fix.find("createbridge=on"), std::string::npos);
}

TEST(FreebsdDoctor, PfIsAskedOnlyWhenAJailForwardsAndItsAbsenceHasAFix) {
  FreebsdRig rig;
  // No forwards, no VNET: nothing to ask the host.
  EXPECT_TRUE(iocell::plugins::freebsd_net::NetChecks(rig.host).checks({rig.spec}).empty());
  rig.expect_done();
  rig.spec.props.set("rdr", "tcp(em0|203.0.113.5):80->80");
  rig.load("doctor/freebsd_net_pf_missing.txt");
  const auto checks = iocell::plugins::freebsd_net::NetChecks(rig.host).checks({rig.spec});
  rig.expect_done();
  ASSERT_EQ(checks.size(), 1u) << "a shared-IP jail's forwards need no IP forwarding";
  EXPECT_FALSE(checks[0].ok);
  EXPECT_NE(checks[0].detail.find("/dev/pf"), std::string::npos);
  EXPECT_NE(checks[0].fix.find("kldload pf"), std::string::npos);
}

TEST(FreebsdDoctor, RacctFailsOnlyWhenAJailAsksForLimits) {
  FreebsdRig rig;
  rig.load("doctor/freebsd_racct.txt");
  iocell::plugins::rctl::RctlChecks rctl(rig.host);
  rig.spec.props.set("rlimits", "on");
  auto off = rctl.checks({rig.spec});
  ASSERT_EQ(off.size(), 1u);
  EXPECT_FALSE(off[0].ok);
  EXPECT_NE(off[0].fix.find("kern.racct.enable=1 to /boot/loader.conf"), std::string::npos);
  auto absent = rctl.checks({rig.spec});
  EXPECT_FALSE(absent[0].ok);
  EXPECT_NE(absent[0].fix.find("options RACCT"), std::string::npos);
  rig.spec.props.set("rlimits", "off");
  auto on = rctl.checks({rig.spec});
  EXPECT_TRUE(on[0].ok);
  EXPECT_EQ(on[0].detail, "1");
  rig.expect_done();
}

TEST(FreebsdDoctor, DevfsRulesetsNamedExistAndIocellsRangeHoldsOnlyItsOwn) {
  FreebsdRig rig;
  rig.load("doctor/freebsd_devfs.txt");
  auto other = rig.spec;
  other.props.set("devfs_ruleset", "7");
  const auto checks = iocell::plugins::jail::JailChecks(rig.host).checks({rig.spec, other});
  rig.expect_done();
  ASSERT_EQ(checks.size(), 4u);
  EXPECT_TRUE(find(checks, "devfs ruleset 4")->ok);
  EXPECT_FALSE(find(checks, "devfs ruleset 7")->ok);
  EXPECT_NE(find(checks, "devfs ruleset 7")->fix.find("/etc/devfs.rules"), std::string::npos);
  EXPECT_TRUE(find(checks, "devfs ruleset 1004")->ok);
  EXPECT_FALSE(find(checks, "devfs ruleset 1010")->ok);
  EXPECT_NE(find(checks, "devfs ruleset 1010")->detail.find("not made by iocell"), std::string::npos);
}

}  // namespace
