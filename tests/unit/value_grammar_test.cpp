// The hand-written value grammars against the regular expressions they
// replace: the same verdict on every string of a generated corpus (short
// strings over each grammar's own alphabet, so that near misses abound).
#include <random>
#include <regex>

#include <gtest/gtest.h>

#include <iocell/core/value_grammar.hpp>

namespace iocell::core::grammar {
namespace {

void agree(bool (*match)(std::string_view), const char* pattern, const std::string& alphabet,
           std::initializer_list<const char*> must_match) {
  const std::regex re(pattern);
  for (const char* s : must_match) EXPECT_TRUE(match(s)) << pattern << " on " << s;
  std::mt19937 gen(42);
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    for (unsigned n = gen() % 18; n > 0; --n) s += alphabet[gen() % alphabet.size()];
    ASSERT_EQ(match(s), std::regex_match(s, re)) << pattern << " on '" << s << "'";
  }
}

TEST(ValueGrammar, MatchesWhatTheRegularExpressionsMatched) {
  agree(ifname, "^[A-Za-z][A-Za-z0-9_.]{0,14}$", "aZ9_.-| ", {"em0", "vtnet0.100", "bridge0", "a23456789012345"});
  agree(hostname, "^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,253})$", "aZ9_.- /", {"www", "www.example.org", "_x-1"});
  agree(cpu_list, "^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$", "0123-, ", {"1", "0-3,6", "0,2,4-7"});
  agree(mac_pair, "^[0-9a-fA-F]{12},[0-9a-fA-F]{12}$", "0aF9,g", {"02ff60a1b2c3,02ff60a1b2c4"});
  agree(vnet_interfaces, "^vnet[0-9]:[A-Za-z][A-Za-z0-9_.]{0,14}(,vnet[0-9]:[A-Za-z][A-Za-z0-9_.]{0,14})*$", "vnet01:br,",
        {"vnet0:bridge0", "vnet0:bridge0,vnet1:bridge1"});
}

TEST(ValueGrammar, RctlActionsAreTheKernelsOwn) {
  for (const char* a : {"deny", "log", "devctl", "throttle", "sigterm", "sigkill", "sigthr", "sigusr1"}) EXPECT_TRUE(rctl_action(a)) << a;
  for (const char* a : {"", "sig", "sig9", "sigfoo", "SIGTERM", "sigterm ", "denied"}) EXPECT_FALSE(rctl_action(a)) << a;
}

TEST(ValueGrammar, SizesKeepTheirNumberAndUnit) {
  const std::regex re("^([0-9]+)(\\.[0-9]+)?([KkMmGgTtPp]?)[Bb]?$");
  std::mt19937 gen(7);
  const std::string alphabet = "0159.kKmGgTpPbBx";
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    for (unsigned n = gen() % 8; n > 0; --n) s += alphabet[gen() % alphabet.size()];
    std::smatch m;
    const bool want = std::regex_match(s, m, re);
    const auto got = grammar::size(s);
    ASSERT_EQ(want, got.has_value()) << s;
    if (!want) continue;
    EXPECT_EQ(std::string(got->number), m[1].str() + m[2].str()) << s;
    EXPECT_EQ(got->unit, m[3].str().empty() ? '\0' : static_cast<char>(std::toupper(m[3].str()[0]))) << s;
  }
}

}  // namespace
}  // namespace iocell::core::grammar
