// Parsers and pure builders of the jail, freebsd-net and rctl plugins,
// including what a broken or hostile tool could print.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fbsd_net_parse.hpp"
#include "jail_params.hpp"
#include "jail_parse.hpp"
#include "rctl_parse.hpp"

namespace {

namespace jail = iocell::plugins::jail;
namespace net = iocell::plugins::freebsd_net;
namespace rctl = iocell::plugins::rctl;

bool has(const std::vector<std::string>& v, const std::string& w) { return std::find(v.begin(), v.end(), w) != v.end(); }

// --- jls --libxo json ---

TEST(FreebsdParse, JlsVersion2WithStringJids) {
  auto jails = jail::parse_jls_json(
      R"({"__version": "2", "jail-information": {"jail": [{"name": "ioc-a1", "jid": "4", "path": "/iocell/jails/a1/root", "ip4.addr": ["10.0.0.1"]}]}})");
  ASSERT_EQ(jails.size(), 1u);
  EXPECT_EQ(jails[0].name, "ioc-a1");
  EXPECT_EQ(jails[0].jid, 4);
  EXPECT_EQ(jails[0].path, "/iocell/jails/a1/root");
  EXPECT_EQ(jails[0].ip4, "10.0.0.1");
}

TEST(FreebsdParse, JlsVersion3NumericJidAndNestedAddresses) {
  auto jails = jail::parse_jls_json(
      R"({"__version": "3", "jail-information": {"jail": [{"name": "ioc-b2", "jid": 11, "path": "/p", "ip4.addr": [{"ipv4_addr": ["10.0.0.2", "10.0.0.3"]}]}]}})");
  ASSERT_EQ(jails.size(), 1u);
  EXPECT_EQ(jails[0].jid, 11);
  EXPECT_EQ(jails[0].ip4, "10.0.0.2,10.0.0.3");
}

TEST(FreebsdParse, JlsWithNoJailAtAll) {
  EXPECT_TRUE(jail::parse_jls_json(R"({"__version": "2", "jail-information": {"jail": []}})").empty());
  EXPECT_TRUE(jail::parse_jls_json(R"({"__version": "2", "jail-information": {}})").empty());
}

TEST(FreebsdParse, JlsHostileDocumentsAreErrors) {
  EXPECT_THROW(jail::parse_jls_json("jls: unknown parameter: ip4.addr"), std::runtime_error);
  EXPECT_THROW(jail::parse_jls_json(R"({"__version": "2"})"), std::runtime_error);
  EXPECT_THROW(jail::parse_jls_json(R"({"__version": "9", "jail-information": {"jail": []}})"), std::runtime_error);
  EXPECT_THROW(jail::parse_jls_json(R"({"__version": "2", "jail-information": {"jail": {"name": "ioc-x"}}})"), std::runtime_error);
  EXPECT_THROW(jail::parse_jls_json(R"([1, 2])"), std::runtime_error);
  EXPECT_THROW(jail::parse_jls_json(std::string(R"({"jail-information": {"jail": [)") + std::string(5000, '[')), std::runtime_error);
}

TEST(FreebsdParse, JlsOddEntriesAreSkippedNotTrusted) {
  std::vector<std::string> skipped;
  auto jails = jail::parse_jls_json(R"({"__version": "2", "jail-information": {"jail": [
      7, {"jid": "3"}, {"name": 12, "jid": "3"},
      {"name": "ioc-nojid"}, {"name": "ioc-badjid", "jid": "3x"}, {"name": "ioc-neg", "jid": "-4"},
      {"name": "ioc-huge", "jid": "99999999999999999999999"}, {"name": "ioc-", "jid": "5"},
      {"name": "iocell-chroot-u", "jid": "6"}, {"name": "ioc-ok", "jid": "8", "path": 5, "ip4.addr": [1, null, "-", "10.9.9.9"]}]}})",
                                    &skipped);
  ASSERT_EQ(jails.size(), 1u);
  EXPECT_EQ(jails[0].name, "ioc-ok");
  EXPECT_EQ(jails[0].path, "");
  EXPECT_EQ(jails[0].ip4, "10.9.9.9");
  EXPECT_EQ(skipped.size(), 7u);
}

TEST(FreebsdParse, JidOfJailDashI) {
  EXPECT_EQ(jail::parse_jid("12\n"), 12);
  EXPECT_THROW(jail::parse_jid(""), std::runtime_error);
  EXPECT_THROW(jail::parse_jid("ioc-x: created\n"), std::runtime_error);
  EXPECT_THROW(jail::parse_jid("0\n"), std::runtime_error);
  EXPECT_THROW(jail::parse_jid("12 13\n"), std::runtime_error);
}

TEST(FreebsdParse, FstabLinesWithEscapesAndComments) {
  auto e = jail::parse_fstab("# comment\n\n/a\\040b /mnt/x\\040y nullfs ro 0 0\nbroken-line\ndevfs\t/j/dev\tdevfs rw 0 0\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].device, "/a b");
  EXPECT_EQ(e[0].mountpoint, "/mnt/x y");
  EXPECT_EQ(e[1].fstype, "devfs");
  EXPECT_EQ(jail::parse_fstab("x /y\\04 nullfs")[0].mountpoint, "/y\\04") << "a short escape stays as it is";
}

// --- jail(8) parameters ---

TEST(FreebsdParams, AllowNamesKeepTheirUnderscoresWhereTheKernelHasThem) {
  EXPECT_EQ(jail::allow_param_name("allow_raw_sockets"), "allow.raw_sockets");
  EXPECT_EQ(jail::allow_param_name("allow_set_hostname"), "allow.set_hostname");
  EXPECT_EQ(jail::allow_param_name("allow_socket_af"), "allow.socket_af");
  EXPECT_EQ(jail::allow_param_name("allow_mount_zfs"), "allow.mount.zfs");
  EXPECT_EQ(jail::allow_param_name("allow_mount"), "allow.mount");
  EXPECT_EQ(jail::allow_param_name("allow_chflags"), "allow.chflags");
  EXPECT_THROW(jail::allow_param_name("securelevel"), std::invalid_argument);
  EXPECT_THROW(jail::allow_param_name("allow_"), std::invalid_argument);
}

iocell::sdk::JailSpec minimal_spec() {
  iocell::sdk::JailSpec s;
  s.uuid = "u1";
  s.name = "ioc-u1";
  s.home = "/iocell/jails/u1";
  s.root = "/iocell/jails/u1/root";
  s.props.set("mount_devfs", "1");
  return s;
}

TEST(FreebsdParams, VnetJailsGetNoAddressesNorFib) {
  auto s = minimal_spec();
  s.params = {{"vnet", "new"}, {"ip4.addr", "em0|10.0.0.1"}, {"ip6.addr", "em0|::1"}, {"ip4", "inherit"}};
  jail::CreateOptions opt;
  opt.vnet = jail::wants_vnet(s);
  auto p = jail::create_params(s, opt);
  EXPECT_TRUE(opt.vnet);
  EXPECT_TRUE(has(p, "vnet=new"));
  for (const auto& w : p) {
    EXPECT_NE(w.rfind("ip4", 0), 0u) << w;
    EXPECT_NE(w.rfind("ip6", 0), 0u) << w;
    EXPECT_NE(w.rfind("exec.fib", 0), 0u) << w;
    EXPECT_NE(w.rfind("exec.start", 0), 0u) << "the core runs exec_start: " << w;
  }
  EXPECT_EQ(p.back(), "vnet=new");
}

TEST(FreebsdParams, DefaultsAndImplications) {
  auto s = minimal_spec();
  s.props.set("allow_sysvipc", "1");
  s.props.set("allow_mount_nullfs", "1");
  s.props.set("host_domainname", "none");
  jail::CreateOptions opt;
  auto p = jail::create_params(s, opt);
  EXPECT_EQ(p[0], "name=ioc-u1");
  EXPECT_TRUE(has(p, "host.hostname=u1")) << "the UUID when host_hostname is empty";
  EXPECT_TRUE(has(p, "allow.set_hostname=0"));
  EXPECT_TRUE(has(p, "allow.mount=1")) << "allow.mount.X needs allow.mount";
  EXPECT_TRUE(has(p, "allow.mount.nullfs=1"));
  EXPECT_TRUE(has(p, "sysvshm=inherit")) << "allow.sysvipc is deprecated: it means inherit";
  EXPECT_FALSE(has(p, "allow.sysvipc=1"));
  EXPECT_TRUE(has(p, "mount.devfs"));
  EXPECT_FALSE(has(p, "mount.fdescfs"));
  EXPECT_TRUE(has(p, "persist"));
  for (const auto& w : p) EXPECT_NE(w.rfind("host.domainname", 0), 0u) << "none is omitted";
}

TEST(FreebsdParams, BlankSplitting) {
  EXPECT_EQ(jail::split_blanks("  -f   root "), (std::vector<std::string>{"-f", "root"}));
  EXPECT_TRUE(jail::split_blanks("").empty());
}

// --- networking ---

TEST(FreebsdNetParse, MacsAreTwelveDigitsDistinctAndStable) {
  auto [h0, j0] = net::derive_macs("0000beef-1c2d-4e5f-8a9b-0c1d2e3f4a5b", 0);
  EXPECT_EQ(h0, "020000beef00");
  EXPECT_EQ(j0, "020000beef01");
  std::vector<std::string> all;
  for (int i = 0; i < 10; ++i) {
    auto [h, j] = net::derive_macs("8F3A2B1C-4d5e", i);
    EXPECT_EQ(h.size(), 12u);
    EXPECT_EQ(h.substr(0, 10), "028f3a2b1c") << "lower case, locally administered unicast prefix";
    all.push_back(h);
    all.push_back(j);
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::unique(all.begin(), all.end()), all.end()) << "no two interfaces of a jail share a MAC";
  EXPECT_EQ(net::derive_macs("8f3a2b1c", 3), net::derive_macs("8f3a2b1c", 3));
  EXPECT_THROW(net::derive_macs("8f3a", 0), std::runtime_error);
  EXPECT_THROW(net::derive_macs("zz3a2b1c-4d5e", 0), std::runtime_error);
  EXPECT_THROW(net::derive_macs("8f3a2b1c", 10), std::runtime_error);
}

TEST(FreebsdNetParse, MacFormats) {
  EXPECT_EQ(net::colon_mac("02FF60A1B2C3"), "02:ff:60:a1:b2:c3");
  EXPECT_THROW(net::colon_mac("02ff60a1b2c"), std::runtime_error);
  EXPECT_THROW(net::colon_mac("02ff60a1b2cg"), std::runtime_error);
  EXPECT_EQ(net::split_mac_pair("02ff60a1b2c3,02ff60a1b2c4").second, "02ff60a1b2c4");
  EXPECT_THROW(net::split_mac_pair("02ff60a1b2c3"), std::runtime_error);
  EXPECT_THROW(net::split_mac_pair("02ff60a1b2c3,x"), std::runtime_error);
}

TEST(FreebsdNetParse, HostInterfaceNamesFitIfnamsiz) {
  for (int i = 0; i < 10; ++i) EXPECT_LE(net::host_ifname("8f3a2b1c-4d5e-11ef", i).size(), 15u);
  EXPECT_EQ(net::host_ifname("8f3a2b1c-4d5e-11ef", 1), "vnet1_8f3a2b1c");
  EXPECT_THROW(net::host_ifname("../../etc", 0), std::runtime_error);
  EXPECT_TRUE(net::is_host_ifname(net::host_ifname("8f3a2b1c-4d5e-11ef", 3)));
  for (const char* other : {"em0", "em0.10", "vnet0", "vnet0_8f3a2b1", "vnet0_8F3A2B1C", "bridge0v10"})
    EXPECT_FALSE(net::is_host_ifname(other)) << other;
}

TEST(FreebsdNetParse, Interfaces) {
  auto v = net::parse_interfaces("vnet0:bridge0,vnet3:lab.br");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].nic, "vnet3");
  EXPECT_EQ(v[1].index, 3);
  EXPECT_EQ(v[1].bridge, "lab.br");
  EXPECT_THROW(net::parse_interfaces("vnet0:bridge0,vnet0:bridge1"), std::runtime_error);
  EXPECT_THROW(net::parse_interfaces("em0:bridge0"), std::runtime_error);
  EXPECT_THROW(net::parse_interfaces("vnet0:bridge0;rm"), std::runtime_error);
  EXPECT_THROW(net::parse_interfaces(""), std::runtime_error);
}

TEST(FreebsdNetParse, IfconfigCreateOutput) {
  EXPECT_EQ(net::parse_epair_create("epair12a\n"), "epair12a");
  EXPECT_THROW(net::parse_epair_create(""), std::runtime_error) << "ifconfig prints nothing when it kept a requested name";
  EXPECT_THROW(net::parse_epair_create("epair12b\n"), std::runtime_error);
  EXPECT_THROW(net::parse_epair_create("epair1a\nepair2a\n"), std::runtime_error);
  EXPECT_THROW(net::parse_epair_create("epair1a; reboot"), std::runtime_error);
  EXPECT_EQ(net::parse_bridge_create("bridge3\n"), "bridge3");
  EXPECT_THROW(net::parse_bridge_create("em0\n"), std::runtime_error);
}

TEST(FreebsdNetParse, IfconfigInterfaceOutput) {
  auto i = net::parse_ifconfig(
      "bridge0: flags=8843<UP> metric 0 mtu 9000\n\tdescription: created by iocell\n\tmember: vnet0_8f3a2b1c flags=143<LEARNING>\n"
      "\t        port 5 priority 128\n\tmember: em0 flags=143<LEARNING>\n");
  EXPECT_EQ(i.mtu, 9000);
  EXPECT_EQ(i.description, "created by iocell");
  EXPECT_EQ(i.members, (std::vector<std::string>{"vnet0_8f3a2b1c", "em0"}));
  EXPECT_EQ(net::parse_ifconfig("bridge0: flags=0 mtu banana\n").mtu, 0);
  EXPECT_EQ(net::parse_ifconfig("bridge0: flags=0 mtu 99999999999999\n").mtu, 0);
  EXPECT_EQ(net::parse_ifconfig("").members.size(), 0u);
}

TEST(FreebsdNetParse, DefaultRouteInterface) {
  EXPECT_EQ(net::parse_route_interface("   route to: default\n  interface: igb1\n      flags: <UP>\n"), "igb1");
  EXPECT_EQ(net::parse_route_interface("route: route has not been found\n"), "");
}

// --- rctl, cpuset ---

TEST(FreebsdRctlParse, Amounts) {
  EXPECT_EQ(rctl::rctl_amount("4G"), "4G");
  EXPECT_EQ(rctl::rctl_amount("4g"), "4G");
  EXPECT_EQ(rctl::rctl_amount("20"), "20");
  EXPECT_EQ(rctl::rctl_amount("1.5G"), "1610612736");
  EXPECT_EQ(rctl::rctl_amount("512MB"), "536870912");
  EXPECT_THROW(rctl::rctl_amount("4G:deny"), std::runtime_error);
  EXPECT_THROW(rctl::rctl_amount("-1"), std::runtime_error);
  EXPECT_THROW(rctl::rctl_amount(""), std::runtime_error);
  EXPECT_THROW(rctl::rctl_amount("99999999999999999999"), std::runtime_error);
}

TEST(FreebsdRctlParse, RulesOfExactlyThatJail) {
  auto r = rctl::parse_rules(
      "jail:ioc-a:memoryuse:deny=2G\njail:ioc-ab:pcpu:log=5\njail:ioc-a:readbps:throttle=1M/jail\njail:ioc-a:broken\n"
      "jail:ioc-a::deny=1\njail:ioc-a:nthr:log=\nuser:ioc-a:maxproc:deny=3\n  jail:ioc-a:maxproc:deny=100  \n",
      "ioc-a");
  EXPECT_EQ(r, (std::vector<std::string>{"memoryuse:deny=2G", "readbps:throttle=1M/jail", "maxproc:deny=100"}));
  EXPECT_TRUE(rctl::parse_rules("", "ioc-a").empty());
}

TEST(FreebsdRctlParse, Usage) {
  auto u = rctl::parse_usage("cputime=3\nmemoryuse=12M\ngarbage\n=5\nnthr=\npcpu=0\nBAD=1\n");
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[1], std::make_pair(std::string("memoryuse"), std::string("12M")));
}

TEST(FreebsdRctlParse, CpusetMasks) {
  EXPECT_EQ(rctl::parse_cpuset_mask("jail 5 mask: 0, 1, 2, 3\njail 5 domain policy: first-touch mask: 0\n"),
            (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(rctl::parse_cpuset_mask("jail 5 domain policy: first-touch mask: 0\njail 5 mask: 6\n"), (std::vector<int>{6}));
  EXPECT_THROW(rctl::parse_cpuset_mask("cpuset: getaffinity: No such process\n"), std::runtime_error);
  EXPECT_THROW(rctl::parse_cpuset_mask("jail 5 mask: 0, x\n"), std::runtime_error);
  EXPECT_THROW(rctl::parse_cpuset_mask("jail 5 mask: 99999999999\n"), std::runtime_error);
  EXPECT_EQ(rctl::compress_cpus({3, 0, 1, 2, 6, 8, 9, 6}), "0-3,6,8-9");
  EXPECT_EQ(rctl::compress_cpus({}), "");
}

}  // namespace
