// The interfaces property and the MAC pairs, shared by the FreeBSD and the
// Linux VNET plugins (sdk/vnet.hpp).
#include <gtest/gtest.h>

#include <iocell/sdk/vnet.hpp>

namespace vnet = iocell::sdk::vnet;

TEST(SdkVnet, InterfacesItems) {
  EXPECT_TRUE(vnet::parse_interfaces("").empty());
  auto v = vnet::parse_interfaces("vnet2:br-lan.0");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].nic, "vnet2");
  EXPECT_EQ(v[0].index, 2);
  EXPECT_EQ(v[0].bridge, "br-lan.0");
  EXPECT_THROW(vnet::parse_interfaces("vnet0:0bridge"), std::runtime_error) << "a name starts with a letter";
  EXPECT_THROW(vnet::parse_interfaces("vnet0:bridge0123456789ab"), std::runtime_error) << "16 characters";
  EXPECT_THROW(vnet::parse_interfaces("vnet10:bridge0"), std::runtime_error);
  EXPECT_THROW(vnet::parse_interfaces("vnet0"), std::runtime_error);
  try {
    vnet::parse_interfaces("vnet0:bridge0,vnet1:bad$name");
    FAIL() << "accepted a '$'";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'vnet1:bad$name'"), std::string::npos) << e.what();
  }
}

TEST(SdkVnet, MacPairs) {
  EXPECT_EQ(vnet::mac_pair("A1B2C3D4", 3), std::make_pair(std::string("02a1b2c3d406"), std::string("02a1b2c3d407")));
  EXPECT_THROW(vnet::mac_pair("a1b2c3", 0), std::runtime_error);
  EXPECT_THROW(vnet::mac_pair("a1b2c3d4", 10), std::runtime_error);
  EXPECT_EQ(vnet::colon_mac("02A1B2C3D406"), "02:a1:b2:c3:d4:06");
  EXPECT_EQ(vnet::split_mac_pair("02A1B2C3D406,02a1b2c3d407"), std::make_pair(std::string("02a1b2c3d406"), std::string("02a1b2c3d407")));
  EXPECT_THROW(vnet::split_mac_pair("02a1b2c3d406"), std::runtime_error);
  EXPECT_THROW(vnet::split_mac_pair("02a1b2c3d406,02A1B2C3D406"), std::runtime_error) << "both ends the same";
}

namespace iocell::sdk::vnet {
namespace {

TEST(SdkVnet, VlanBridgesAreNamedForCleanupWithoutThrowing) {
  const auto nics = parse_interfaces("vnet0:bridge0,vnet1:br-upstream-9");
  EXPECT_EQ(vlan_bridges_of("vnet0:10", nics), (std::vector<std::string>{"bridge0v10"}));
  EXPECT_EQ(vlan_bridges_of("none", nics), (std::vector<std::string>{}));
  EXPECT_EQ(vlan_bridges_of("vnet0:10,vnet1:4000", nics), (std::vector<std::string>{"bridge0v10"}))
      << "br-upstream-9v4000 is too long to have been made";
  EXPECT_EQ(vlan_bridges_of("vnet5:10", nics), (std::vector<std::string>{})) << "not an interface of the jail";
  EXPECT_EQ(vlan_bridges_of("vnet0:0", nics), (std::vector<std::string>{})) << "not a VLAN";
  EXPECT_THROW(vlan_bridge_name("br-upstream-9", 4000), std::runtime_error);
}

}  // namespace
}  // namespace iocell::sdk::vnet
