// VLANs of VNET jails on Linux for real, with the iocell binary, inside a
// network and mount namespace of the test's own: three jails on one bridge
// iocell creates, two on VLAN 10 reach each other, the one on VLAN 20
// reaches neither until `vlans` changes while it is stopped.
//
// What carries the VLANs depends on the kernel, and each test checks the
// form this kernel gets: with bridge VLAN filtering, the port's PVID on the
// one bridge (and a host bridge without filtering is refused); without it,
// a bridge per VLAN (BRIDGEvVID) that iocell makes and deletes, the host's
// bridge left as it was.
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
    m_filters = kernel_filters_vlans();
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
  std::string host_end(const std::string& tag) {
    return plugins::linux_net::host_ifname(trim(ok({"get", "uuid", tag}).out), 0);
  }
  /// `bridge vlan show` of the host end of the tag's vnet0, "" once it is gone.
  std::string port_vlans(const std::string& tag) {
    const auto r = m_runner.run(sdk::Command({"bridge", "vlan", "show", "dev", host_end(tag)}));
    return r.ok() ? r.out : "";
  }
  /// The bridge the host end of the tag's vnet0 is a port of, "" when none.
  std::string port_bridge(const std::string& tag) {
    const auto r = m_runner.run(sdk::Command({"ip", "-o", "link", "show", "dev", host_end(tag)}));
    const size_t at = r.out.find(" master ");
    return r.ok() && at != std::string::npos ? r.out.substr(at + 8, r.out.find(' ', at + 8) - at - 8) : "";
  }
  bool link_exists(const std::string& name) { return m_runner.run(sdk::Command({"ip", "link", "show", "dev", name})).ok(); }
  /// iproute2 shows a bridge's default PVID only when the kernel filters VLANs.
  bool kernel_filters_vlans() {
    sh({"ip", "link", "add", "name", "probe0", "type", "bridge"});
    const bool yes = m_runner.run(sdk::Command({"ip", "-d", "link", "show", "dev", "probe0"})).out.find(" vlan_default_pvid ") != std::string::npos;
    sh({"ip", "link", "del", "probe0"});
    return yes;
  }
  /// The port of `tag` is on VLAN `vid` of `bridge`, in this kernel's form.
  void expect_on_vlan(const std::string& tag, const std::string& bridge, int vid) {
    const std::string id = std::to_string(vid);
    if (m_filters) {
      EXPECT_EQ(port_bridge(tag), bridge);
      EXPECT_NE(port_vlans(tag).find(id + " PVID Egress Untagged"), std::string::npos) << port_vlans(tag);
      EXPECT_EQ(port_vlans(tag).find(" 1 PVID"), std::string::npos) << "the port left the default VLAN 1: " << port_vlans(tag);
    } else {
      EXPECT_EQ(port_bridge(tag), bridge + "v" + id);
    }
  }

  TempDir m_dir{"iocell-vlans"};
  fs::path m_root = m_dir.path() / "root";
  core::PosixRunner m_runner;
  std::unique_ptr<PrivateNet> m_net;
  std::vector<std::string> m_jails;
  bool m_filters = false;
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
  expect_on_vlan("mail", kBridge, 20);
  expect_on_vlan("www", kBridge, 10);
  if (m_filters) {
    const auto links = m_runner.run(sdk::Command({"ip", "-d", "link", "show", "dev", kBridge})).out;
    EXPECT_NE(links.find("vlan_filtering 1"), std::string::npos) << "iocell turns filtering on on its own bridge";
  }

  ok({"stop", "mail"});
  EXPECT_EQ(port_bridge("mail"), "") << "the port goes at stop";
  if (!m_filters) EXPECT_FALSE(link_exists(std::string(kBridge) + "v20")) << "the VLAN's bridge goes with its last port";
  ok({"set", "vlans=vnet0:10", "mail"});
  ok({"start", "mail"});
  EXPECT_TRUE(pings("mail", "10.79.0.11")) << "the new VLAN after the restart";
  expect_on_vlan("mail", kBridge, 10);
  for (const auto* tag : {"www", "pgsql", "mail"}) ok({"stop", tag});
  EXPECT_FALSE(link_exists(kBridge)) << "iocell's bridges go with the last jail";
  EXPECT_FALSE(link_exists(std::string(kBridge) + "v10"));
}

TEST_F(Vlans, AHostBridgeWithoutFilteringIsLeftAsItWas) {
  sh({"ip", "link", "add", "name", kHostBridge, "type", "bridge"});
  sh({"ip", "link", "set", kHostBridge, "up"});
  make_jail("www", kHostBridge, "10.79.1.11", "vnet0:10");
  if (!m_filters) {
    // No filtering in this kernel: the VLAN gets a bridge of its own, and
    // the host's bridge is left as it was.
    ok({"start", "www"});
    expect_on_vlan("www", kHostBridge, 10);
    ok({"stop", "www"});
    EXPECT_FALSE(link_exists(std::string(kHostBridge) + "v10"));
    EXPECT_TRUE(link_exists(kHostBridge)) << "the host's bridge is never deleted";
    return;
  }
  auto r = run({"start", "www"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("bridge hbr0, which has VLAN filtering off and which iocell did not create"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vlan_filtering 1"), std::string::npos) << r.err;
  const auto links = m_runner.run(sdk::Command({"ip", "-d", "link", "show", "dev", kHostBridge})).out;
  EXPECT_NE(links.find("vlan_filtering 0"), std::string::npos) << links;
  EXPECT_EQ(port_bridge("www"), "") << "no host end left behind";
  EXPECT_EQ(trim(ok({"list", "-H"}).out).find("\tup\t"), std::string::npos);

  // The admin's consent: filtering turned on by them, the jail starts.
  sh({"ip", "link", "set", "dev", kHostBridge, "type", "bridge", "vlan_filtering", "1"});
  ok({"start", "www"});
  expect_on_vlan("www", kHostBridge, 10);
}

TEST_F(Vlans, AJailSharingTheHostsNetworkIsRefusedAVlan) {
  ok({"create", "-e", "tag=www", "vnet=off", "vlans=vnet0:10"});
  build_busybox_root(m_root / "jails" / trim(ok({"get", "uuid", "www"}).out) / "root");
  m_jails.push_back("www");
  const auto r = run({"start", "www"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("vlans='vnet0:10' needs vnet=on"), std::string::npos) << r.err;
  EXPECT_EQ(trim(ok({"list", "-H"}).out).find("\tup\t"), std::string::npos);
}

}  // namespace
}  // namespace iocell::test
