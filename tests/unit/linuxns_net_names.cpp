// Names, MACs and parsers of the Linux network plugins.
#include <gtest/gtest.h>

#include "net_names.hpp"

namespace iocell::plugins::linux_net {
namespace {

TEST(LinuxNetNames, InterfacesItems) {
  auto v = parse_interfaces("vnet0:bridge0,vnet3:br-lan");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].nic, "vnet3");
  EXPECT_EQ(v[1].index, 3);
  EXPECT_EQ(v[1].bridge, "br-lan");
  EXPECT_THROW(parse_interfaces("eth0:bridge0"), std::runtime_error);
  EXPECT_THROW(parse_interfaces("vnet0:"), std::runtime_error);
  EXPECT_THROW(parse_interfaces("vnet0:b0,vnet0:b1"), std::runtime_error);
}

TEST(LinuxNetNames, MacsAreStableDistinctAndLocal) {
  const std::string a = "00000000-0000-4000-8000-000000000001", b = "00000000-0000-4000-8000-000000000002";
  auto [ha, ja] = derive_macs(a, 0);
  EXPECT_EQ(ha.size(), 12u);
  EXPECT_EQ(ha.substr(0, 2), "02") << "locally administered unicast";
  EXPECT_NE(ha, ja);
  EXPECT_EQ(derive_macs(a, 0), derive_macs(a, 0));
  EXPECT_NE(derive_macs(a, 1).first, ha);
  // UUIDs sharing a long prefix still get different MACs and host names.
  EXPECT_NE(derive_macs(b, 0).first, ha);
  EXPECT_NE(host_ifname(a, 0), host_ifname(b, 0));
  EXPECT_LE(host_ifname(a, 9).size(), 15u);
  EXPECT_EQ(colon_mac("02AABBCCDDEE"), "02:aa:bb:cc:dd:ee");
  EXPECT_THROW(colon_mac("02aabbcc"), std::runtime_error);
  EXPECT_EQ(split_mac_pair("02aabbccdd00,02AABBCCDD01").second, "02aabbccdd01");
  EXPECT_THROW(split_mac_pair("02aabbccdd00,02aabbccdd00"), std::runtime_error);
  EXPECT_THROW(split_mac_pair("02aabbccdd00"), std::runtime_error);
}

TEST(LinuxNetNames, RouteDeviceAndLinks) {
  EXPECT_EQ(route_device("default via 10.0.0.1 dev eth0 proto static metric 100 \n"), "eth0");
  EXPECT_EQ(route_device(""), "");
  const std::string links =
      "2: br9: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    "
      "link/ether 22:e0:f9:d3:a4:59 brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bridge forward_delay 1500 \\    alias created-by-iocell\n"
      "4: vh1@vj1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop master br9 state DOWN mode DEFAULT group default qlen 1000\\    "
      "link/ether 02:E0:F9:D3:A4:59 brd ff:ff:ff:ff:ff:ff \\    veth \n";
  auto l = parse_links(links);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].name, "br9");
  EXPECT_EQ(l[0].alias, "created-by-iocell");
  EXPECT_EQ(l[0].master, "");
  EXPECT_EQ(l[1].name, "vh1");
  EXPECT_EQ(l[1].master, "br9");
  EXPECT_EQ(l[1].mac, "02:e0:f9:d3:a4:59");
}

}  // namespace
}  // namespace iocell::plugins::linux_net
