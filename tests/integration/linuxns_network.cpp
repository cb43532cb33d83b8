// shared-ip and vnet-bridge on Linux for real, inside the test's own
// network namespace: veth pairs, bridges, addresses, pings.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "host_net.hpp"
#include "net_names.hpp"
#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

using namespace std::chrono_literals;
namespace ln = plugins::linux_net;

std::map<std::string, std::string> vnet_props(const std::string& cidr, const std::string& bridge = LinuxWorld::kBridge) {
  return {{"vnet", "on"}, {"interfaces", "vnet0:" + bridge}, {"ip4_addr", "vnet0|" + cidr},
          {"defaultrouter", LinuxWorld::kBridgeAddr}, {"allow_raw_sockets", "1"}};
}

TEST(LinuxNsNetwork, TwoVnetJailsOnOneBridgePing) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail a(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000001", vnet_props("10.77.0.11/24")));
  TestJail b(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000002", vnet_props("10.77.0.12/24")));
  a.start();
  b.start();
  EXPECT_EQ(a.exec({"ping", "-c", "1", "-W", "3", "10.77.0.12"}).exit_code, 0) << "jail to jail";
  EXPECT_EQ(b.exec({"ping", "-c", "1", "-W", "3", "10.77.0.11"}).exit_code, 0) << "jail to jail";
  EXPECT_EQ(a.exec({"ping", "-c", "1", "-W", "3", LinuxWorld::kBridgeAddr}).exit_code, 0) << "jail to bridge";
  EXPECT_EQ(w.try_run({"busybox", "ping", "-c", "1", "-W", "3", "10.77.0.12"}).exit_code, 0) << "host to jail";
  // The default route and the MAC the plugin stored.
  EXPECT_NE(a.out({"ip", "route"}).find("default via 10.77.0.1 dev vnet0"), std::string::npos);
  const auto [host_mac, jail_mac] = ln::split_mac_pair(a.spec.props.get("vnet0_mac"));
  EXPECT_NE(a.out({"ip", "link", "show", "vnet0"}).find(ln::colon_mac(jail_mac)), std::string::npos);
  const std::string host_end = ln::host_ifname(a.spec.uuid, 0);
  auto links = ln::parse_links(w.run({"ip", "-o", "-d", "link", "show"}).out);
  auto it = std::find_if(links.begin(), links.end(), [&](const ln::LinkInfo& l) { return l.name == host_end; });
  ASSERT_NE(it, links.end());
  EXPECT_EQ(it->master, LinuxWorld::kBridge);
  EXPECT_EQ(it->mac, ln::colon_mac(host_mac));
  // The jail sees its own interfaces only.
  EXPECT_EQ(a.out({"sh", "-c", "ls /proc/sys/net/ipv4/conf | sort | tr '\\n' ' '"}), "all default lo vnet0");

  a.stop();
  b.stop();
  EXPECT_FALSE(ln::link_exists(host_end));
  EXPECT_TRUE(ln::link_exists(LinuxWorld::kBridge)) << "iocell never deletes a bridge it did not create";
  EXPECT_TRUE(ln::interface_with_address(LinuxWorld::kBridgeAddr));
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + ln::netns_name(a.spec.uuid)));
}

TEST(LinuxNsNetwork, BridgesAreCreatedOnlyWhenAllowedAndRemovedWhenTheirs) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  {
    TestJail refused(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000003",
                                    [] {
                                      auto p = vnet_props("10.78.0.5/24", "newbr0");
                                      p["createbridge"] = "off";
                                      p["defaultrouter"] = "none";
                                      return p;
                                    }()));
    try {
      refused.start();
      ADD_FAILURE() << "started without its bridge";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("createbridge=off"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(ln::link_exists("newbr0"));
    EXPECT_TRUE(w.runtime->running().empty()) << "a failed start leaves no jail";
    EXPECT_FALSE(ln::link_exists(ln::host_ifname(refused.spec.uuid, 0)));
  }
  auto props = vnet_props("10.78.0.5/24", "newbr0");
  props["defaultrouter"] = "none";
  TestJail made(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000004", props));
  made.start();
  ASSERT_TRUE(ln::link_exists("newbr0"));
  auto links = ln::parse_links(w.run({"ip", "-o", "-d", "link", "show", "dev", "newbr0"}).out);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].alias, ln::kIocellBridge);
  made.stop();
  EXPECT_FALSE(ln::link_exists("newbr0")) << "iocell's own bridge goes with its last jail";
}

TEST(LinuxNsNetwork, WarmRestartKeepsTheNetworkNamespace) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000005", vnet_props("10.77.0.21/24")));
  j.start();
  const std::string netns = j.out({"readlink", "/proc/self/ns/net"});
  const std::string index = j.out({"sh", "-c", "ip -o link show vnet0 | cut -d: -f1"});
  sdk::ExecRequest daemon;
  daemon.argv = {"sh", "-c", "sleep 1000 & exit 0"};
  daemon.log_to = j.spec.console_log;
  ASSERT_EQ(w.runtime->exec(j.spec, *j.state, daemon).exit_code, 0);
  // Until the background child has exec'd, ps calls it sh.
  std::string sleeping;
  for (int i = 0; i < 100 && sleeping != "1"; ++i) {
    sleeping = j.out({"sh", "-c", "ps -o comm | grep -c sleep || true"});
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(sleeping, "1");

  w.runtime->kill_processes(j.spec, *j.state);
  EXPECT_EQ(j.out({"sh", "-c", "ps -o comm | grep -c sleep || true"}), "0");
  EXPECT_EQ(j.out({"cat", "/proc/1/comm"}), "iocell-init");
  EXPECT_EQ(j.out({"readlink", "/proc/self/ns/net"}), netns);
  EXPECT_EQ(j.out({"sh", "-c", "ip -o link show vnet0 | cut -d: -f1"}), index);
  EXPECT_EQ(j.exec({"ping", "-c", "1", "-W", "3", LinuxWorld::kBridgeAddr}).exit_code, 0);
}

// ip4=inherit: the explicit opt-in to the host's stack, with host aliases.
TEST(LinuxNsNetwork, SharedIpInheritAddsOnlyItsOwnAddress) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000006",
                            {{"ip4", "inherit"}, {"ip4_addr", std::string(LinuxWorld::kBridge) + "|10.77.0.50/24"}}));
  j.start();
  EXPECT_EQ(ln::interface_with_address("10.77.0.50").value_or(""), LinuxWorld::kBridge);
  EXPECT_EQ(j.state->ip4, "10.77.0.50");
  // The jail shares the host's stack and sees the address, but may not change it.
  EXPECT_NE(j.out({"ip", "-o", "addr", "show", "dev", LinuxWorld::kBridge}).find("10.77.0.50/24"), std::string::npos);
  EXPECT_NE(j.exec({"ip", "addr", "add", "10.77.0.99/24", "dev", LinuxWorld::kBridge}).exit_code, 0);
  EXPECT_FALSE(ln::interface_with_address("10.77.0.99"));
  j.stop();
  EXPECT_FALSE(ln::interface_with_address("10.77.0.50")) << "the alias outlived the jail";
  EXPECT_TRUE(ln::interface_with_address(LinuxWorld::kBridgeAddr));

  // An address the host already has is not the jail's to take, nor to remove.
  w.run({"ip", "addr", "add", "10.77.0.60/24", "dev", LinuxWorld::kBridge});
  TestJail taker(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000007",
                                {{"ip4", "inherit"}, {"ip4_addr", std::string(LinuxWorld::kBridge) + "|10.77.0.60/24"}}));
  try {
    taker.start();
    ADD_FAILURE() << "took over a host address";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("already on tbr0"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(ln::interface_with_address("10.77.0.60")) << "cleanup removed an address iocell did not add";
  EXPECT_TRUE(w.runtime->running().empty());
}

// A second jail given a running jail's address is told which jail has it,
// in both modes, and the first jail keeps it.
TEST(LinuxNsNetwork, SharedIpRefusesAnAddressAnotherJailHoldsAndNamesIt) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  const std::string addr = std::string(LinuxWorld::kBridge) + "|10.77.0.70/24";
  for (const char* mode : {"new", "inherit"}) {
    SCOPED_TRACE(mode);
    TestJail first(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000008", {{"ip4", mode}, {"ip4_addr", addr}}));
    first.start();
    for (const char* second_mode : {"new", "inherit"}) {
      TestJail second(w, w.make_spec("22222222-aaaa-4bbb-8ccc-000000000009", {{"ip4", second_mode}, {"ip4_addr", addr}}));
      try {
        second.start();
        ADD_FAILURE() << second_mode << ": started with the address of a running jail";
      } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("already used by jail " + first.spec.uuid), std::string::npos) << second_mode << ": " << what;
        EXPECT_EQ(what.find("did not put it there"), std::string::npos) << what;
      }
    }
    EXPECT_EQ(w.runtime->running().size(), 1u);
    if (std::string(mode) == "inherit") EXPECT_TRUE(ln::interface_with_address("10.77.0.70")) << "the first jail lost its address";
    first.stop();
  }
}

}  // namespace
}  // namespace iocell::test
