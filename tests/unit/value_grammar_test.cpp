// Each value grammar on the values the docs give and on near misses.
#include <gtest/gtest.h>

#include <iocell/core/value_grammar.hpp>

namespace iocell::core::grammar {
namespace {

void verdicts(bool (*match)(std::string_view), std::initializer_list<const char*> good,
              std::initializer_list<const char*> bad) {
  for (const char* s : good) EXPECT_TRUE(match(s)) << "refused '" << s << "'";
  for (const char* s : bad) EXPECT_FALSE(match(s)) << "accepted '" << s << "'";
}

TEST(ValueGrammar, InterfaceNamesFitIfnamsiz) {
  verdicts(ifname, {"em0", "vtnet0.100", "bridge0", "a23456789012345", "lo_1"},
           {"", "0em", "em-0", "em 0", "a234567890123456", "em0|", ".em"});
}

TEST(ValueGrammar, Hostnames) {
  verdicts(hostname, {"www", "www.example.org", "_x-1", "9lives", std::string(254, 'a').c_str()},
           {"", "-www", ".www", "www/x", "www x", std::string(255, 'a').c_str()});
}

TEST(ValueGrammar, CpuListsAsCpusetTakesThem) {
  verdicts(cpu_list, {"1", "0-3,6", "0,2,4-7", "10-11"}, {"", ",1", "1,", "1-", "-1", "1--2", "0-3,,6", "a", "1 ,2"});
}

TEST(ValueGrammar, MacPairs) {
  verdicts(mac_pair, {"02ff60a1b2c3,02ff60a1b2c4", "02FF60A1B2C3,02ff60a1b2c4"},
           {"", "02ff60a1b2c3", "02ff60a1b2c3,02ff60a1b2c", "02ff60a1b2cg,02ff60a1b2c4", "02:ff:60:a1:b2:c3,02ff60a1b2c4",
            "02ff60a1b2c3,02ff60a1b2c4,"});
}

TEST(ValueGrammar, VnetInterfaces) {
  verdicts(vnet_interfaces, {"vnet0:bridge0", "vnet0:bridge0,vnet1:bridge1", "vnet9:em0.10"},
           {"", "vnet:bridge0", "vnet10:bridge0", "vnet0:", "vnet0:0br", "vnet0:bridge0,", "epair0:bridge0",
            "vnet0:bridge0 ,vnet1:bridge1"});
}

TEST(ValueGrammar, UuidPrefixes) {
  verdicts(uuid_prefix, {"c", "cafe", "0a1b2c3d", "0a1b2c3d-", "0a1b2c3d-4", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"},
           {"", "www", "CAFE", "0a1b2c3d4", "-", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d0"});
}

TEST(ValueGrammar, RctlActionsAreTheKernelsOwn) {
  for (const char* a : {"deny", "log", "devctl", "throttle", "sigterm", "sigkill", "sigthr", "sigusr1"}) EXPECT_TRUE(rctl_action(a)) << a;
  for (const char* a : {"", "sig", "sig9", "sigfoo", "SIGTERM", "sigterm ", "denied"}) EXPECT_FALSE(rctl_action(a)) << a;
}

TEST(ValueGrammar, SizesKeepTheirNumberAndUnit) {
  struct Case {
    const char* text;
    const char* number;
    char unit;
  };
  for (const Case& c : {Case{"100", "100", '\0'}, Case{"100M", "100", 'M'}, Case{"1.5g", "1.5", 'G'},
                        Case{"2TB", "2", 'T'}, Case{"7kb", "7", 'K'}, Case{"3B", "3", '\0'}, Case{"0.25P", "0.25", 'P'}}) {
    const auto got = size(c.text);
    ASSERT_TRUE(got) << c.text;
    EXPECT_EQ(got->number, c.number) << c.text;
    EXPECT_EQ(got->unit, c.unit) << c.text;
  }
  for (const char* bad : {"", "M", "1.", ".5", "1..5", "1MM", "1X", "1 M", "-1", "1MBB", "1e3"})
    EXPECT_FALSE(size(bad)) << bad;
}

}  // namespace
}  // namespace iocell::core::grammar
