// IPv6 autoconfiguration of a VNET jail on Linux for real, with the iocell
// binary, inside a network namespace of the test's own: radvd advertises a
// prefix on the bridge, a jail with ip6_addr=vnet0|accept_rtadv takes an
// address in it and pings the router; the host's own accept_ra stays as it
// was. vnet0|DHCP6 is refused at start, naming what is missing.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/linux_env.hpp"
#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBridge = "sbr0";
constexpr const char* kRouter = "2001:db8:5::1";
constexpr const char* kPrefix = "2001:db8:5:";  // every address of the advertised /64 starts so

std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

class Slaac : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces)";
    if (busybox_path().empty()) GTEST_SKIP() << "needs busybox-static";
    // radvd --version exits 1 after printing its version.
    const auto radvd = m_runner.run(sdk::Command({"radvd", "--version"}));
    if ((radvd.out + radvd.err).find("Version") == std::string::npos) GTEST_SKIP() << "needs radvd (tests/host-setup.sh)";
    m_net = std::make_unique<PrivateNet>();
    sh({"ip", "link", "set", "lo", "up"});
    sh({"ip", "link", "add", "name", kBridge, "type", "bridge"});
    sh({"ip", "addr", "add", std::string(kRouter) + "/64", "dev", kBridge, "nodad"});
    sh({"ip", "link", "set", kBridge, "up"});
    // radvd advertises only as a router: forwarding on, in this namespace only.
    std::ofstream("/proc/sys/net/ipv6/conf/all/forwarding") << "1\n";
  }
  void TearDown() override {
    if (m_radvd > 0) ::kill(m_radvd, SIGTERM);
    m_net.reset();
  }

  sdk::CommandResult sh(const std::vector<std::string>& argv) {
    auto r = m_runner.run(sdk::Command(argv));
    if (!r.ok()) ADD_FAILURE() << sdk::format_argv(argv) << ": " << r.err;
    return r;
  }
  CliResult run(std::vector<std::string> args) { return run_iocell(m_root, args, {{"IOCELL_STORAGE", "dir"}}); }
  CliResult ok(const std::vector<std::string>& args) { return expect_success(args, run(args)); }

  void start_radvd() {
    const fs::path conf = m_dir.path() / "radvd.conf";
    std::ofstream(conf) << "interface " << kBridge
                        << " {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 4;\n"
                           "  prefix 2001:db8:5::/64 { AdvOnLink on; AdvAutonomous on; };\n};\n";
    const fs::path pid = "/run/iocell-test-radvd.pid";  // the private /run of PrivateNet
    sh({"radvd", "-C", conf.string(), "-p", pid.string()});
    for (int i = 0; i < 50 && m_radvd <= 0; ++i) {
      const std::string text = read_first_line(pid);
      if (!text.empty()) m_radvd = std::stoi(text);
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_GT(m_radvd, 0) << "radvd wrote no pid file";
  }

  void make_jail(const std::string& tag, const std::string& ip6_addr) {
    ok({"create", "-e", "tag=" + tag, "vnet=on", "interfaces=vnet0:" + std::string(kBridge), "ip6_addr=" + ip6_addr, "allow_raw_sockets=1"});
    build_busybox_root(m_root / "jails" / trim(ok({"get", "uuid", tag}).out) / "root");
  }

  /// The jail's global address in the advertised prefix, "" while it has none.
  std::string slaac_address(const std::string& tag) {
    const std::string out = run({"exec", tag, "ip", "-6", "-o", "addr", "show", "dev", "vnet0", "scope", "global"}).out;
    const size_t at = out.find(std::string("inet6 ") + kPrefix);
    if (at == std::string::npos) return "";
    const size_t begin = at + 6;
    return out.substr(begin, out.find('/', begin) - begin);
  }

  TempDir m_dir{"iocell-slaac"};
  fs::path m_root = m_dir.path() / "root";
  core::PosixRunner m_runner;
  std::unique_ptr<PrivateNet> m_net;
  pid_t m_radvd = -1;
};

TEST_F(Slaac, AJailTakesAnAdvertisedPrefixAndReachesTheRouter) {
  const std::string host_accept_ra = read_first_line("/proc/sys/net/ipv6/conf/default/accept_ra");
  make_jail("www", "vnet0|accept_rtadv");
  ok({"start", "www"});
  start_radvd();
  std::string address;
  for (int i = 0; i < 150 && address.empty(); ++i) {
    address = slaac_address("www");
    if (address.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_FALSE(address.empty()) << "no address from the advertised prefix:\n"
                                << run({"exec", "www", "ip", "-6", "addr"}).out;
  // The router is on the link: the jail reaches it over IPv6.
  auto ping = run({"exec", "www", "ping", "-6", "-c", "1", "-W", "3", kRouter});
  EXPECT_EQ(ping.code, 0) << ping.out << ping.err;
  // The settings went to the jail's namespace, not to the namespace that started it.
  EXPECT_EQ(read_first_line("/proc/sys/net/ipv6/conf/default/accept_ra"), host_accept_ra);
  EXPECT_EQ(trim(run({"exec", "www", "cat", "/proc/sys/net/ipv6/conf/vnet0/accept_ra"}).out), "2");
  ok({"stop", "www"});
}

TEST_F(Slaac, Dhcp6IsRefusedAtStartNamingTheMissingClient) {
  make_jail("www", "vnet0|DHCP6");
  auto r = run({"start", "www"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("'vnet0|DHCP6' needs a DHCPv6 client"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vnet0|accept_rtadv"), std::string::npos) << r.err;
  EXPECT_EQ(trim(ok({"list", "-H"}).out).find("\tup\t"), std::string::npos);
}

TEST_F(Slaac, AutoconfigurationWordsAreCheckedAtSet) {
  ok({"create", "-e", "tag=www"});
  for (const std::string bad : {"vnet0|accept_rtadv/64", "vnet0|dhcp6", "vnet0|DHCP"}) {
    auto r = run({"set", "ip6_addr=" + bad, "www"});
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("invalid value '" + bad + "' for property ip6_addr"), std::string::npos) << r.err;
  }
  ok({"set", "ip6_addr=vnet0|accept_rtadv,vnet1|2001:db8:5::9/64", "www"});
  // An IPv4 list has no such word.
  EXPECT_EQ(run({"set", "ip4_addr=vnet0|accept_rtadv", "www"}).code, 2);
  // A jail sharing the host's stack has no interface to autoconfigure.
  ok({"set", "ip6_addr=" + std::string(kBridge) + "|accept_rtadv", "www"});
  auto shared = run({"start", "www"});
  EXPECT_EQ(shared.code, 1) << shared.out;
  EXPECT_NE(shared.err.find("needs vnet=on"), std::string::npos) << shared.err;
}

}  // namespace
}  // namespace iocell::test
