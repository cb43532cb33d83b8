// The VLAN decision of Linux vnet-bridge against `ip -d link show` output
// of kernels with and without bridge VLAN filtering. The integration test
// (linuxns_vlans) runs whichever form its kernel gets; this pins both.
#include <gtest/gtest.h>

#include "bridge_vlans.hpp"

namespace iocell::plugins::linux_net {
namespace {

constexpr const char* kAlias = "created-by-iocell";

// iproute2 on a kernel with CONFIG_BRIDGE_VLAN_FILTERING, filtering `on`
// (0 or 1), the bridge's default PVID `pvid`, and iocell's alias or not.
std::string filtering_kernel(int on, int pvid, bool ours) {
  std::string out =
      "5: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n"
      "    link/ether 6a:1e:0c:33:91:02 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n"
      "    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering " +
      std::to_string(on) + " vlan_protocol 802.1Q bridge_id 8000.6a:1e:c:33:91:2 designated_root 8000.6a:1e:c:33:91:2 root_port 0 "
      "root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 "
      "gc_timer  246.87 vlan_default_pvid " + std::to_string(pvid) + " vlan_stats_enabled 0 vlan_stats_per_port 0 group_fwd_mask 0 "
      "mcast_snooping 1 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 \n";
  if (ours) out += "    alias created-by-iocell\n";
  return out;
}

// The same bridge on these machines' kernel: no vlan_default_pvid, and
// vlan_filtering always 0.
constexpr const char* kNoFilteringKernel =
    "2: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
    "    link/ether ee:5a:2e:25:2e:ec brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n"
    "    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 "
    "bridge_id 8000.0:0:0:0:0:0 group_fwd_mask 0 mcast_snooping 1 addrgenmode eui64 numtxqueues 1 numrxqueues 1 \n";

std::vector<std::string> line(const sdk::Command& c) { return c.argv; }

TEST(BridgeVlans, AFilteringBridgeTakesThePortUntaggedAndOutOfTheDefaultVlan) {
  const auto plan = plan_vlan_port(filtering_kernel(1, 1, false), "br0", 10, "vnet0_ab12cd34", kAlias);
  EXPECT_FALSE(plan.turn_filtering_on) << "the host's bridge filters already";
  EXPECT_FALSE(plan.own_vlan_bridge);
  EXPECT_EQ(plan.join, "br0");
  ASSERT_EQ(plan.port_setup.size(), 2u);
  EXPECT_EQ(line(plan.port_setup[0]), (std::vector<std::string>{"bridge", "vlan", "add", "dev", "vnet0_ab12cd34", "vid", "10", "pvid", "untagged"}));
  EXPECT_EQ(line(plan.port_setup[1]), (std::vector<std::string>{"bridge", "vlan", "del", "dev", "vnet0_ab12cd34", "vid", "1"}));
}

TEST(BridgeVlans, TheDefaultVlanItselfIsNotLeft) {
  const auto plan = plan_vlan_port(filtering_kernel(1, 10, false), "br0", 10, "vnet0_ab12cd34", kAlias);
  ASSERT_EQ(plan.port_setup.size(), 1u);
  EXPECT_EQ(plan.port_setup[0].argv[2], "add");
  // A bridge without a default PVID (vlan_default_pvid 0) has nothing to leave.
  EXPECT_EQ(plan_vlan_port(filtering_kernel(1, 0, false), "br0", 10, "vnet0_ab12cd34", kAlias).port_setup.size(), 1u);
}

TEST(BridgeVlans, IocellTurnsFilteringOnOnlyOnItsOwnBridge) {
  const auto plan = plan_vlan_port(filtering_kernel(0, 1, true), "br0", 20, "vnet1_ab12cd34", kAlias);
  EXPECT_TRUE(plan.turn_filtering_on);
  EXPECT_EQ(plan.join, "br0");
  EXPECT_EQ(plan.port_setup.size(), 2u);

  try {
    plan_vlan_port(filtering_kernel(0, 1, false), "br0", 20, "vnet1_ab12cd34", kAlias);
    FAIL() << "a host bridge without filtering was taken";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bridge br0, which has VLAN filtering off and which iocell did not create"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("ip link set dev br0 type bridge vlan_filtering 1"), std::string::npos);
  }
}

TEST(BridgeVlans, AKernelWithoutFilteringGivesTheVlanABridgeOfItsOwn) {
  for (const bool ours : {true, false}) {
    std::string details = kNoFilteringKernel;
    if (ours) details += "    alias created-by-iocell\n";
    const auto plan = plan_vlan_port(details, "br0", 10, "vnet0_ab12cd34", kAlias);
    EXPECT_TRUE(plan.own_vlan_bridge);
    EXPECT_FALSE(plan.turn_filtering_on);
    EXPECT_EQ(plan.join, "br0v10");
    EXPECT_TRUE(plan.port_setup.empty()) << "no bridge vlan command on a kernel without it";
  }
  EXPECT_THROW(plan_vlan_port(kNoFilteringKernel, "br-upstream-9", 4000, "vnet0_ab12cd34", kAlias), std::runtime_error)
      << "br-upstream-9v4000 is longer than an interface name may be";
}

}  // namespace
}  // namespace iocell::plugins::linux_net
