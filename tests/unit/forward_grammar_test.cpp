// The rdr grammar (sdk/forwarder.hpp), as `set` checks it, and the nftables
// rules the Linux forwarder builds from it.
#include <gtest/gtest.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/sdk/forwarder.hpp>

#include "nft_forwarder.hpp"

namespace {

namespace fwd = iocell::sdk::forward;
namespace ln = iocell::plugins::linux_net;

TEST(ForwardGrammar, ParsesBothFamiliesAndTheExplicitWildcard) {
  const auto e = fwd::parse("tcp(em0|203.0.113.5):80->8080,udp(em0|0.0.0.0):53->53,tcp(vlan5|2001:db8::5):443->443,udp(em0|::):53->5353");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].proto, "tcp");
  EXPECT_EQ(e[0].ifname, "em0");
  EXPECT_EQ(e[0].address, "203.0.113.5");
  EXPECT_FALSE(e[0].ipv6);
  EXPECT_FALSE(e[0].any_address);
  EXPECT_EQ(e[0].host_port, 80);
  EXPECT_EQ(e[0].jail_port, 8080);
  EXPECT_TRUE(e[1].any_address);
  EXPECT_TRUE(e[2].ipv6);
  EXPECT_FALSE(e[2].any_address);
  EXPECT_TRUE(e[3].ipv6 && e[3].any_address);
  EXPECT_TRUE(fwd::parse("none").empty());
}

TEST(ForwardGrammar, SetRefusesABadEntryNamingIt) {
  for (const std::string bad : {"tcp:80->80", "tcp(em0|):80->80", "icmp(em0|192.0.2.1):80->80", "tcp(em0|192.0.2.1):80->65536",
                                "tcp(em0|192.0.2.1):80->", "tcp(em0|example.org):80->80", "tcp(0em|192.0.2.1):80->80",
                                "tcp(em0|192.0.2.1)80->80", ""}) {
    try {
      iocell::core::validate_setting("rdr", "tcp(em0|192.0.2.9):22->22," + bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const iocell::core::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("invalid forward '" + bad + "'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("PROTO(IF|ADDRESS):PORT->PORT"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(iocell::core::validate_setting("rdr", "tcp(em0|192.0.2.1):80->80,tcp(em0|192.0.2.1):80->81"),
               iocell::core::UsageError);
  // The same port on another address, or of the other protocol, is another forward.
  EXPECT_NO_THROW(iocell::core::validate_setting("rdr", "tcp(em0|192.0.2.1):80->80,udp(em0|192.0.2.1):80->80,tcp(em0|192.0.2.2):80->80"));
}

TEST(ForwardGrammar, TheJailAddressComesFromItsStaticAddresses) {
  iocell::sdk::JailSpec spec;
  spec.uuid = "u";
  spec.props = iocell::sdk::PropertyMap(std::map<std::string, std::string>{{"ip4_addr", "vnet0|10.0.0.5/24,vnet1|10.1.0.5/24"},
                                                                          {"ip6_addr", "none"}});
  EXPECT_EQ(fwd::jail_address(spec, false), "10.0.0.5");
  EXPECT_EQ(fwd::jail_address(spec, true), "");
  const auto e = fwd::parse("tcp(em0|2001:db8::5):443->443");
  EXPECT_THROW(fwd::target_of(spec, e[0]), std::runtime_error);
}

TEST(NftForward, RulesAreBoundToTheInterfaceAndAddressGiven) {
  const auto e = fwd::parse("tcp(eth0|203.0.113.5):80->8080,udp(eth0|0.0.0.0):53->53,tcp(eth0|2001:db8::5):443->443");
  EXPECT_EQ(ln::nft_rule(e[0], "10.0.0.5"), "iifname \"eth0\" ip daddr 203.0.113.5 tcp dport 80 dnat ip to 10.0.0.5:8080");
  EXPECT_EQ(ln::nft_rule(e[1], "10.0.0.5"), "iifname \"eth0\" meta nfproto ipv4 udp dport 53 dnat ip to 10.0.0.5:53");
  EXPECT_EQ(ln::nft_rule(e[2], "2001:db8:1::10"),
            "iifname \"eth0\" ip6 daddr 2001:db8::5 tcp dport 443 dnat ip6 to [2001:db8:1::10]:443");
}

TEST(NftForward, ScriptsNameOnlyIocellsTableAndTheJailsChain) {
  const std::string load = ln::nft_load_script("abc", {"RULE"});
  EXPECT_EQ(load,
            "add table inet iocell\n"
            "add chain inet iocell rdr-abc { type nat hook prerouting priority dstnat; policy accept; }\n"
            "flush chain inet iocell rdr-abc\n"
            "add rule inet iocell rdr-abc RULE\n");
  const std::string remove = ln::nft_remove_script("abc");
  EXPECT_NE(remove.find("delete chain inet iocell rdr-abc\n"), std::string::npos);
  for (const auto& s : {load, remove}) EXPECT_EQ(s.find("ruleset"), std::string::npos) << s;
}

}  // namespace
