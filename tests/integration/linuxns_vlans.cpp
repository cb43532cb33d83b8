// VLANs of VNET jails on Linux for real, with the iocell binary, inside a
// network and mount namespace of the test's own: three jails on one bridge
// iocell creates, two on VLAN 10 reach each other, the one on VLAN 20
// reaches neither until `vlans` changes while it is stopped. A bridge of the
// host without VLAN filtering is refused, and nothing is left of the start.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net_names.hpp"
#include "support/linux_env.hpp"
#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBridge = "vbr0";  // iocell creates it
constexpr const char* kHostBridge = "hbr0";  // the test's: no VLAN filtering

class Vlans : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces)";
    if (busybox_path().empty()) GTEST_SKIP() << "needs busybox-static";
    if (!m_runner.run(sdk::Command({"bridge", "-V"})).ok()) GTEST_SKIP() << "needs iproute2's bridge";
    m_net = std::make_unique<PrivateNet>();
    sh({"ip", "link", "set", "lo", "up"});
  }
  void TearDown() override {
    // Stopping deletes the host ends; leaving the namespace takes the rest.
    for (const auto& tag : m_jails) run({"stop", tag});
    m_net.reset();
  }

  sdk::CommandResult sh(const std::vector<std::string>& argv) {
    auto r = m_runner.run(sdk::Command(argv));
    if (!r.ok()) ADD_FAILURE() << sdk::format_argv(argv) << ": " << r.err;
    return r;
  }
  CliResult run(std::vector<std::string> args) { return run_iocell(m_root, args, {{"IOCELL_STORAGE", "dir"}}); }
  CliResult ok(const std::vector<std::string>& args) { return expect_success(args, run(args)); }

  void make_jail(const std::string& tag, const std::string& bridge, const std::string& address, const std::string& vlans) {
    ok({"create", "-e", "tag=" + tag, "vnet=on", "interfaces=vnet0:" + bridge, "ip4_addr=vnet0|" + address + "/24",
        "vlans=" + vlans, "allow_raw_sockets=1"});
    build_busybox_root(m_root / "jails" / trim(ok({"get", "uuid", tag}).out) / "root");
    m_jails.push_back(tag);
  }
  bool pings(const std::string& from, const std::string& address) {
    return run({"exec", from, "ping", "-c", "1", "-W", "2", address}).code == 0;
  }
  /// `bridge vlan show` of the host end of the tag's vnet0, "" once it is gone.
  std::string port_vlans(const std::string& tag) {
    const std::string uuid = trim(ok({"get", "uuid", tag}).out);
    const auto r = m_runner.run(sdk::Command({"bridge", "vlan", "show", "dev", plugins::linux_net::host_ifname(uuid, 0)}));
    return r.ok() ? r.out : "";
  }

  TempDir m_dir{"iocell-vlans"};
  fs::path m_root = m_dir.path() / "root";
  core::PosixRunner m_runner;
  std::unique_ptr<PrivateNet> m_net;
  std::vector<std::string> m_jails;
};

TEST_F(Vlans, OnlyJailsOfOneVlanReachEachOtherAndAChangeTakesEffectAtTheNextStart) {
  make_jail("www", kBridge, "10.79.0.11", "vnet0:10");
  make_jail("pgsql", kBridge, "10.79.0.12", "vnet0:10");
  make_jail("mail", kBridge, "10.79.0.13", "vnet0:20");
  EXPECT_EQ(trim(ok({"get", "vlans", "mail"}).out), "vnet0:20");
  for (const auto* tag : {"www", "pgsql", "mail"}) ok({"start", tag});

  EXPECT_TRUE(pings("www", "10.79.0.12")) << "same VLAN";
  EXPECT_TRUE(pings("pgsql", "10.79.0.11")) << "same VLAN";
  EXPECT_FALSE(pings("mail", "10.79.0.11")) << "VLAN 20 reached VLAN 10";
  EXPECT_FALSE(pings("mail", "10.79.0.12")) << "VLAN 20 reached VLAN 10";
  EXPECT_NE(port_vlans("mail").find("20 PVID Egress Untagged"), std::string::npos) << port_vlans("mail");
  // The port left the default VLAN 1.
  EXPECT_EQ(port_vlans("mail").find(" 1 PVID"), std::string::npos) << port_vlans("mail");
  const auto links = m_runner.run(sdk::Command({"ip", "-d", "link", "show", "dev", kBridge})).out;
  EXPECT_NE(links.find("vlan_filtering 1"), std::string::npos) << "iocell turns filtering on on its own bridge";

  ok({"stop", "mail"});
  EXPECT_EQ(port_vlans("mail"), "") << "the port and its membership go at stop";
  ok({"set", "vlans=vnet0:10", "mail"});
  ok({"start", "mail"});
  EXPECT_TRUE(pings("mail", "10.79.0.11")) << "the new VLAN after the restart";
  EXPECT_NE(port_vlans("mail").find("10 PVID Egress Untagged"), std::string::npos) << port_vlans("mail");
}

TEST_F(Vlans, AHostBridgeWithoutFilteringIsRefusedAndLeftAsItWas) {
  sh({"ip", "link", "add", "name", kHostBridge, "type", "bridge"});
  sh({"ip", "link", "set", kHostBridge, "up"});
  make_jail("www", kHostBridge, "10.79.1.11", "vnet0:10");
  auto r = run({"start", "www"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("bridge hbr0, which has VLAN filtering off and which iocell did not create"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vlan_filtering 1"), std::string::npos) << r.err;
  const auto links = m_runner.run(sdk::Command({"ip", "-d", "link", "show", "dev", kHostBridge})).out;
  EXPECT_NE(links.find("vlan_filtering 0"), std::string::npos) << links;
  EXPECT_EQ(port_vlans("www"), "") << "no host end left behind";
  EXPECT_EQ(trim(ok({"list", "-H"}).out).find("\tup\t"), std::string::npos);

  // The admin's consent: filtering turned on by them, the jail starts.
  sh({"ip", "link", "set", "dev", kHostBridge, "type", "bridge", "vlan_filtering", "1"});
  ok({"start", "www"});
  EXPECT_NE(port_vlans("www").find("10 PVID Egress Untagged"), std::string::npos) << port_vlans("www");
}

}  // namespace
}  // namespace iocell::test
