#include <gtest/gtest.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/ops/address_series.hpp>

using iocell::core::address_series;

namespace {

using V = std::vector<std::string>;

TEST(AddressSeries, StepsThroughThePrefix) {
  EXPECT_EQ(address_series("ip4_addr", "em0|10.1.1.10/24", 3), (V{"em0|10.1.1.10/24", "em0|10.1.1.11/24", "em0|10.1.1.12/24"}));
  EXPECT_EQ(address_series("ip4_addr", "em0|10.1.1.10/24,em1|192.168.5.1/16", 2),
            (V{"em0|10.1.1.10/24,em1|192.168.5.1/16", "em0|10.1.1.11/24,em1|192.168.5.2/16"}));
}

TEST(AddressSeries, CrossesOctetsInsideAWidePrefixButNeverTakesTheBroadcast) {
  EXPECT_EQ(address_series("ip4_addr", "em0|10.1.0.254/23", 3), (V{"em0|10.1.0.254/23", "em0|10.1.0.255/23", "em0|10.1.1.0/23"}));
  EXPECT_EQ(address_series("ip4_addr", "em0|10.1.1.253/24", 2), (V{"em0|10.1.1.253/24", "em0|10.1.1.254/24"}));
  EXPECT_THROW(address_series("ip4_addr", "em0|10.1.1.254/23", 2), iocell::core::UsageError);
}

TEST(AddressSeries, RefusesWhenThePrefixRunsOut) {
  try {
    address_series("ip4_addr", "em0|10.1.1.254/24", 2);
    FAIL() << "the broadcast address and the next subnet were handed out";
  } catch (const iocell::core::UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ip4_addr=em0|10.1.1.254/24"), std::string::npos) << msg;
    EXPECT_NE(msg.find("only 1 usable address"), std::string::npos) << msg;
  }
  EXPECT_THROW(address_series("ip4_addr", "em0|10.1.1.10/32", 2), iocell::core::UsageError);
  EXPECT_THROW(address_series("ip4_addr", "em0|10.1.1.250", 6), iocell::core::UsageError) << "no prefix: stays in its /24";
  EXPECT_EQ(address_series("ip4_addr", "em0|10.1.1.250", 5).back(), "em0|10.1.1.254");
}

TEST(AddressSeries, PointToPointPrefixesUseBothAddresses) {
  EXPECT_EQ(address_series("ip4_addr", "em0|10.1.1.0/31", 2), (V{"em0|10.1.1.0/31", "em0|10.1.1.1/31"}));
}

TEST(AddressSeries, Ipv6StaysInItsPrefix) {
  EXPECT_EQ(address_series("ip6_addr", "em0|2001:db8::ffff/64", 2), (V{"em0|2001:db8::ffff/64", "em0|2001:db8::1:0/64"}));
  EXPECT_THROW(address_series("ip6_addr", "em0|2001:db8::ffff/112", 2), iocell::core::UsageError);
  EXPECT_EQ(address_series("ip6_addr", "em0|2001:db8::fffe/112", 2).back(), "em0|2001:db8::ffff/112");
}

TEST(AddressSeries, NonAddressesRepeat) {
  EXPECT_EQ(address_series("ip4_addr", "none", 2), (V{"none", "none"}));
  EXPECT_EQ(address_series("ip4_addr", "vnet0|DHCP", 2), (V{"vnet0|DHCP", "vnet0|DHCP"}));
  EXPECT_EQ(address_series("ip6_addr", "vnet0|accept_rtadv", 2), (V{"vnet0|accept_rtadv", "vnet0|accept_rtadv"}));
}

}  // namespace
