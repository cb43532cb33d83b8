// shared-ip and vnet-bridge against FreeBSD command transcripts
// (tests/transcripts/freebsd-net/).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include <sstream>

#include <iocell/core/runners.hpp>

#include "fbsd_shared_ip.hpp"
#include "fbsd_vnet_bridge.hpp"
#include "jail_runtime.hpp"
#include "rctl_limits.hpp"
#include "support/freebsd_rig.hpp"
#include "support/error_of.hpp"

namespace {

using iocell::plugins::freebsd_net::SharedIp;
using iocell::plugins::freebsd_net::VnetBridge;
using iocell::plugins::jail::JailRuntime;
using iocell::plugins::rctl::RctlLimits;
using iocell::sdk::ExecRequest;
using iocell::sdk::RunState;
using iocell::test::FreebsdRig;

RunState state_of(const FreebsdRig& rig, std::int64_t jid) {
  RunState st;
  st.name = rig.spec.name;
  st.jid = jid;
  return st;
}

using iocell::test::error_of;

void vnet_on(FreebsdRig& rig, const std::string& interfaces) {
  rig.spec.props.set("vnet", "on");
  rig.spec.props.set("interfaces", interfaces);
}

TEST(FreebsdNet, VnetJailWithTwoInterfacesStartsAndStops) {
  FreebsdRig rig;
  auto& spec = rig.spec;
  vnet_on(rig, "vnet0:bridge0,vnet1:bridge1");
  spec.props.set("ip4_addr", "vnet0|10.1.1.10/24");
  spec.props.set("ip6_addr", "vnet1|2001:db8:1::10/64");
  spec.props.set("defaultrouter", "10.1.1.1");
  spec.props.set("defaultrouter6", "fe80::1");
  rig.load("freebsd-net/vnet_two_interfaces.txt");
  JailRuntime rt(rig.host);
  VnetBridge net(rig.host);
  RctlLimits limits(rig.host);

  limits.prepare(spec);
  net.prepare(spec);
  EXPECT_EQ(spec.props.get("vnet0_mac"), "028f3a2b1c00,028f3a2b1c01");
  EXPECT_EQ(spec.props.get("vnet1_mac"), "028f3a2b1c02,028f3a2b1c03");
  RunState st = rt.create(spec);
  EXPECT_EQ(st.jid, 12);
  net.attach(spec, st);
  limits.apply(spec, st);
  ExecRequest start;
  start.argv = {"/bin/sh", "/etc/rc"};
  start.log_to = spec.console_log;
  rt.exec(spec, st, start);

  ExecRequest stop = start;
  stop.argv = {"/bin/sh", "/etc/rc.shutdown", "jail"};
  rt.exec(spec, st, stop);
  net.detach(spec, st);
  rt.destroy(spec, st);
  net.cleanup(spec);
  limits.remove(spec);
  rig.expect_done();
}

TEST(FreebsdNet, StoredMacsAreKept) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("vnet0_mac", "02ff60a1b2c3,02ff60a1b2c4");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  EXPECT_EQ(rig.spec.props.get("vnet0_mac"), "02ff60a1b2c3,02ff60a1b2c4");
  ASSERT_EQ(rig.spec.params.size(), 1u);
  EXPECT_EQ(rig.spec.params[0], std::make_pair(std::string("vnet"), std::string("new")));
}

TEST(FreebsdNet, AnAddressOnAnInterfaceTheJailLacksIsRefusedInPrepare) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("ip4_addr", "em0|10.1.1.10/24");
  VnetBridge net(rig.host);
  const std::string err = error_of([&] { net.prepare(rig.spec); });
  EXPECT_NE(err.find("em0|10.1.1.10"), std::string::npos) << err;
  EXPECT_NE(err.find("vnet0"), std::string::npos) << err;
}

TEST(FreebsdNet, IocellCreatesMissingBridgesAndNeverDestroysForeignOnes) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge7,vnet1:bridge1");
  rig.load("freebsd-net/bridge_create_foreign.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 3));
  net.detach(rig.spec, state_of(rig, 3));
  net.cleanup(rig.spec);
  rig.expect_done();
  for (const auto& c : rig.runner.seen())
    EXPECT_FALSE(c.argv.size() == 3 && c.argv[1] == "bridge1" && c.argv[2] == "destroy") << "bridge1 is the host's";
}

TEST(FreebsdNet, MissingBridgeWithCreatebridgeOffIsAnError) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("createbridge", "off");
  rig.load("freebsd-net/createbridge_off.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  const std::string err = error_of([&] { net.attach(rig.spec, state_of(rig, 3)); });
  EXPECT_NE(err.find("createbridge=off"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdNet, MacsOfAUuidStartingWithZeroHaveTwelveDigits) {
  FreebsdRig rig("0000beef-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  vnet_on(rig, "vnet0:bridge0");
  rig.load("freebsd-net/mac_uuid_zero.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  EXPECT_EQ(rig.spec.props.get("vnet0_mac"), "020000beef00,020000beef01");
  net.attach(rig.spec, state_of(rig, 4));
  rig.expect_done();
}

TEST(FreebsdNet, AFailedAttachDestroysTheEpairItMade) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.load("freebsd-net/attach_failure_rollback.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  EXPECT_NE(error_of([&] { net.attach(rig.spec, state_of(rig, 5)); }).find("not found"), std::string::npos);
  rig.expect_done();
}

TEST(FreebsdNet, DhcpWritesRcConfAndRunsDhclient) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("dhcp", "on");
  {
    std::ofstream rc(rig.spec.root / "etc/rc.conf");
    rc << "hostname=\"www\"\nifconfig_vnet0=\"inet 10.0.0.5/24\"\nsshd_enable=\"YES\"\n";
  }
  rig.load("freebsd-net/dhcp.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 6));
  rig.expect_done();
  EXPECT_EQ(rig.read(rig.spec.root / "etc/rc.conf"), "hostname=\"www\"\nsshd_enable=\"YES\"\nifconfig_vnet0=\"DHCP\"\n");
}

TEST(FreebsdNet, AcceptRtadvWritesRcConfAndSolicitsOnce) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("ip4_addr", "vnet0|10.1.1.10/24");
  rig.spec.props.set("defaultrouter", "10.1.1.1");
  rig.spec.props.set("ip6_addr", "vnet0|accept_rtadv");
  {
    std::ofstream rc(rig.spec.root / "etc/rc.conf");
    rc << "hostname=\"www\"\nrtsold_enable=\"NO\"\nifconfig_vnet0_ipv6=\"inet6 2001:db8::5\"\n";
  }
  rig.load("freebsd-net/slaac.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 6));
  rig.expect_done();
  EXPECT_EQ(rig.read(rig.spec.root / "etc/rc.conf"),
            "hostname=\"www\"\nifconfig_vnet0_ipv6=\"inet6 accept_rtadv\"\nrtsold_enable=\"YES\"\n");
}

TEST(FreebsdNet, Dhcp6RunsTheJailsDhcpcd) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("ip6_addr", "vnet0|DHCP6");
  std::filesystem::create_directories(rig.spec.root / "usr/local/sbin");
  std::ofstream(rig.spec.root / "usr/local/sbin/dhcpcd") << "#!/bin/sh\n";
  rig.load("freebsd-net/dhcp6.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 6));
  rig.expect_done();
}

TEST(FreebsdNet, Dhcp6WithoutAClientInTheJailIsRefusedBeforeAnythingRuns) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("ip6_addr", "vnet0|DHCP6");
  VnetBridge net(rig.host);  // no transcript: not one command may run
  const std::string err = error_of([&] { net.prepare(rig.spec); });
  EXPECT_NE(err.find("'vnet0|DHCP6' needs a DHCPv6 client in the jail"), std::string::npos) << err;
  EXPECT_NE(err.find("/usr/local/sbin/dhcpcd is missing"), std::string::npos) << err;
  EXPECT_NE(err.find("vnet0|accept_rtadv"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdNet, VlansOnBridgesThatFilterThemAreUntaggedMembers) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0,vnet1:bridge7");
  rig.spec.props.set("vlans", "vnet0:10,vnet1:20");
  rig.load("freebsd-net/vlan_filtering_bridge.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 3));
  net.detach(rig.spec, state_of(rig, 3));
  net.cleanup(rig.spec);
  rig.expect_done();
}

TEST(FreebsdNet, AHostBridgeThatDoesNotFilterVlansIsRefusedBeforeAnythingIsMade) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("vlans", "vnet0:10");
  rig.load("freebsd-net/vlan_unfiltered_refused.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  const std::string err = error_of([&] { net.attach(rig.spec, state_of(rig, 3)); });
  EXPECT_NE(err.find("VLAN 10 of bridge bridge0, which does not filter VLANs and which iocell did not create"), std::string::npos) << err;
  EXPECT_NE(err.find("ifconfig bridge0 vlanfilter defuntagged 1"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdNet, WithoutVlanFilteringAVlanIsABridgeOfItsOwnWithAVlanUplink) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("vlans", "vnet0:10");
  rig.load("freebsd-net/vlan_bridge_per_vlan.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 3));
  net.detach(rig.spec, state_of(rig, 3));
  net.cleanup(rig.spec);
  rig.expect_done();
}

TEST(FreebsdNet, AVlanOfAnInterfaceTheJailLacksIsRefusedBeforeAnythingRuns) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("vlans", "vnet1:10");
  VnetBridge net(rig.host);  // no transcript: not one command may run
  const std::string err = error_of([&] { net.prepare(rig.spec); });
  EXPECT_NE(err.find("puts vnet1 on a VLAN, but it is not one of the jail's interfaces"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdNet, SharedIpRefusesVlans) {
  FreebsdRig rig;
  rig.spec.props.set("vlans", "vnet0:10");
  SharedIp net(rig.host);  // no transcript: not one command may run
  const std::string err = error_of([&] { net.prepare(rig.spec); });
  EXPECT_NE(err.find("vlans='vnet0:10' needs vnet=on"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdNet, SharedIpRefusesAutoconfiguration) {
  FreebsdRig rig;
  rig.spec.props.set("ip6_addr", "em0|accept_rtadv");
  SharedIp net(rig.host);
  EXPECT_NE(error_of([&] { net.prepare(rig.spec); }).find("'em0|accept_rtadv' needs vnet=on"), std::string::npos);
  rig.expect_done();
}

TEST(FreebsdNet, DhcpNeverWritesThroughAPlantedRcConfLink) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  rig.spec.props.set("dhcp", "on");
  iocell::test::TempDir host_etc("iocell-fbsd-hostetc");
  std::filesystem::remove(rig.spec.root / "etc");
  std::filesystem::create_directory_symlink(host_etc.path(), rig.spec.root / "etc");
  rig.load("freebsd-net/dhcp.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  EXPECT_NE(error_of([&] { net.attach(rig.spec, state_of(rig, 6)); }).find("symbolic link"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(host_etc.path() / "rc.conf"));
}

TEST(FreebsdNet, SharedIpResolvesDefaultAndToleratesAGoneAlias) {
  FreebsdRig rig;
  rig.spec.props.set("ip4_addr", "DEFAULT|10.1.1.20/24");
  rig.load("freebsd-net/shared_ip_default.txt");
  SharedIp net(rig.host);
  net.prepare(rig.spec);
  ASSERT_EQ(rig.spec.params.size(), 1u);
  EXPECT_EQ(rig.spec.params[0].first, "ip4.addr");
  EXPECT_EQ(rig.spec.params[0].second, "em0|10.1.1.20/24");
  net.cleanup(rig.spec);
  rig.expect_done();
}

TEST(FreebsdNet, SharedIpv6OnTheDefaultInterfaceWaitsForDad) {
  FreebsdRig rig;
  rig.spec.props.set("ip6_addr", "DEFAULT|2001:db8::20/64");
  rig.load("freebsd-net/shared_ip6_default.txt");
  SharedIp net(rig.host);
  net.prepare(rig.spec);
  ASSERT_EQ(rig.spec.params.size(), 1u);
  EXPECT_EQ(rig.spec.params[0], std::make_pair(std::string("ip6.addr"), std::string("em0|2001:db8::20/64")));
  net.attach(rig.spec, state_of(rig, 7));
  net.cleanup(rig.spec);
  rig.expect_done();
}

TEST(FreebsdNet, SharedIpWithSeveralAddressesAddsAndRemovesEach) {
  FreebsdRig rig;
  rig.spec.props.set("ip4_addr", "em0|10.1.1.10/24,em0|10.1.1.11/24,lo1|127.0.1.10");
  rig.load("freebsd-net/shared_ip_multi.txt");
  SharedIp net(rig.host);
  JailRuntime rt(rig.host);
  net.prepare(rig.spec);
  RunState st = rt.create(rig.spec);
  EXPECT_EQ(st.ip4, "10.1.1.10,10.1.1.11,127.0.1.10");
  net.attach(rig.spec, st);
  net.cleanup(rig.spec);  // lo1 is gone: "does not exist" is what was wanted
  rig.expect_done();
}

TEST(FreebsdNet, VnetJailWithNoAddressAndNoRouterConfiguresOnlyLoopback) {
  FreebsdRig rig;
  vnet_on(rig, "vnet0:bridge0");
  for (const char* p : {"ip4_addr", "ip6_addr", "defaultrouter", "defaultrouter6"}) rig.spec.props.set(p, "none");
  rig.load("freebsd-net/vnet_none.txt");
  VnetBridge net(rig.host);
  net.prepare(rig.spec);
  net.attach(rig.spec, state_of(rig, 4));
  rig.expect_done();
}

TEST(FreebsdNet, SharedIpModes) {
  FreebsdRig rig;
  rig.spec.props.set("ip4", "inherit");
  rig.spec.props.set("ip6", "disable");
  rig.spec.props.set("ip6_addr", "em0|2001:db8::1/64");
  SharedIp net(rig.host);
  net.prepare(rig.spec);
  ASSERT_EQ(rig.spec.params.size(), 2u);
  EXPECT_EQ(rig.spec.params[0], std::make_pair(std::string("ip4"), std::string("inherit")));
  EXPECT_EQ(rig.spec.params[1], std::make_pair(std::string("ip6"), std::string("disable")));
  net.cleanup(rig.spec);  // inherit/disable: jail(8) added nothing, nothing to remove
  EXPECT_TRUE(rig.runner.seen().empty());

  FreebsdRig none;
  SharedIp net2(none.host);
  none.spec.props.set("ip4_saddrsel", "0");
  net2.prepare(none.spec);
  EXPECT_TRUE(none.spec.params.empty()) << "ip4_addr=none sends nothing: a new jail then has no address";
}

TEST(FreebsdNet, DryRunGoesThroughAStartAndStopChangingNothing) {
  FreebsdRig rig;
  std::ostringstream printed;
  iocell::sdk::testing::ScriptedRunner reads;
  iocell::core::RecordingRunner recorder(printed, reads);
  rig.host.runner = &recorder;
  rig.host.dry_run = true;
  auto& spec = rig.spec;
  vnet_on(rig, "vnet0:bridge0");
  spec.props.set("dhcp", "on");
  spec.props.set("jail_zfs", "on");
  spec.props.set("mount_linprocfs", "1");
  spec.props.set("rlimits", "on");
  spec.props.set("cpuset", "0");
  JailRuntime rt(rig.host);
  VnetBridge net(rig.host);
  RctlLimits limits(rig.host);
  limits.prepare(spec);
  net.prepare(spec);
  RunState st = rt.create(spec);
  net.attach(spec, st);
  limits.apply(spec, st);
  ExecRequest start;
  start.argv = {"/bin/sh", "/etc/rc"};
  start.log_to = spec.console_log;
  rt.exec(spec, st, start);
  rt.kill_processes(spec, st);
  net.detach(spec, st);
  rt.destroy(spec, st);
  net.cleanup(spec);
  limits.remove(spec);
  const std::string out = printed.str();
  EXPECT_NE(out.find("jail -i -c name=" + spec.name), std::string::npos) << out;
  EXPECT_NE(out.find("ifconfig epairNa name vnet0_8f3a2b1c"), std::string::npos) << out;
  EXPECT_NE(out.find("zfs jail " + spec.name + " POOL/iocell/jails/"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(spec.root / "etc/rc.conf"));
  EXPECT_FALSE(std::filesystem::exists(spec.root / "compat"));
  EXPECT_FALSE(std::filesystem::exists(spec.console_log));
}

}  // namespace
