// Network isolation of Linux jails, for real, inside the test's own network
// namespace standing in for the host: a jail sees only its own loopback
// and addresses (none by default), cannot reach the host's loopback or
// abstract sockets nor bind the host's addresses, and ip4=inherit is the
// one way to share the host's stack.
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>

#include <chrono>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "host_net.hpp"
#include "net_names.hpp"
#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

using namespace std::chrono_literals;
namespace ln = plugins::linux_net;

constexpr int kSecretPort = 7011;
constexpr const char* kAbstract = "iocell-isolation-secret";

// Something of the host's a jail must not reach: a TCP server on host
// 127.0.0.1 and an abstract UNIX socket.
class HostSecrets {
 public:
  HostSecrets() {
    m_tcp = sdk::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(kSecretPort);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!m_tcp || ::bind(m_tcp.get(), reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 || ::listen(m_tcp.get(), 8) != 0)
      throw std::runtime_error(std::string("host listener: ") + std::strerror(errno));
    m_unix = sdk::UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path + 1, kAbstract, std::strlen(kAbstract));
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + std::strlen(kAbstract));
    if (!m_unix || ::bind(m_unix.get(), reinterpret_cast<sockaddr*>(&un), len) != 0 || ::listen(m_unix.get(), 8) != 0)
      throw std::runtime_error(std::string("host abstract socket: ") + std::strerror(errno));
  }
  /// Whether a connection to host 127.0.0.1 arrived.
  bool reached() const {
    sdk::UniqueFd c(::accept4(m_tcp.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return static_cast<bool>(c);
  }

 private:
  sdk::UniqueFd m_tcp, m_unix;
};

std::string sorted_interfaces(TestJail& j) { return j.out({"sh", "-c", "ls /proc/sys/net/ipv4/conf | sort | tr '\\n' ' '"}); }

std::string proxies(LinuxWorld& w) { return w.run({"ip", "neigh", "show", "proxy"}).out; }

TEST(LinuxNsIsolation, DefaultJailHasItsOwnLoopbackAndNothingElse) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  HostSecrets secrets;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000001", {{"allow_raw_sockets", "1"}}));
  j.start();
  EXPECT_EQ(j.state->ip4, "");
  EXPECT_EQ(sorted_interfaces(j), "all default lo") << "the jail sees a host interface";
  EXPECT_NE(j.out({"readlink", "/proc/self/ns/net"}), w.run({"readlink", "/proc/self/ns/net"}).out.substr(0, 20))
      << "exec did not join the jail's network namespace";
  EXPECT_NE(j.out({"ip", "-o", "link", "show", "lo"}).find(",UP"), std::string::npos) << "the jail's lo is down";
  EXPECT_EQ(j.out({"sh", "-c", "ip -o -4 addr show | tr -s ' ' | cut -d' ' -f2,4"}), "lo 127.0.0.1/8");

  // Its own 127.0.0.1 works; the host's is out of reach.
  EXPECT_EQ(j.exec({"ping", "-c", "1", "-W", "3", "127.0.0.1"}).exit_code, 0);
  auto nc = j.exec({"nc", "-w", "2", "127.0.0.1", std::to_string(kSecretPort), "-e", "true"});
  EXPECT_NE(nc.err.find("Connection refused"), std::string::npos) << nc.err;
  EXPECT_FALSE(secrets.reached()) << "the jail connected to the host's 127.0.0.1";
  EXPECT_EQ(j.out({"sh", "-c", "grep -c @" + std::string(kAbstract) + " /proc/net/unix || true"}), "0")
      << "the jail sees the host's abstract socket";
  EXPECT_NE(w.run({"cat", "/proc/net/unix"}).out.find(std::string("@") + kAbstract), std::string::npos);

  // No host address to bind, not even with raw sockets allowed.
  auto bind = j.exec({"timeout", "3", "httpd", "-f", "-p", std::string(LinuxWorld::kBridgeAddr) + ":8080"});
  EXPECT_NE(bind.exit_code, 0);
  EXPECT_NE(bind.err.find("assign"), std::string::npos) << bind.err;
  // What it listens on (0.0.0.0) is its own: the host's port stays free.
  sdk::ExecRequest daemon;
  daemon.argv = {"httpd", "-p", "8081"};
  daemon.log_to = j.spec.console_log;
  ASSERT_EQ(w.runtime->exec(j.spec, *j.state, daemon).exit_code, 0);
  EXPECT_EQ(j.exec({"nc", "-w", "2", "127.0.0.1", "8081", "-e", "true"}).exit_code, 0) << "the jail's server is not up";
  auto host = w.try_run({"busybox", "nc", "-w", "2", "127.0.0.1", "8081", "-e", "true"});
  EXPECT_NE(host.err.find("Connection refused"), std::string::npos) << host.err;
}

TEST(LinuxNsIsolation, SharedIpJailHoldsOnlyItsAddressAndIsReachable) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  HostSecrets secrets;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000002",
                            {{"ip4_addr", std::string(LinuxWorld::kBridge) + "|10.77.0.50/24"}, {"allow_raw_sockets", "1"}}));
  j.start();
  EXPECT_EQ(j.state->ip4, "10.77.0.50");
  EXPECT_FALSE(ln::interface_with_address("10.77.0.50")) << "the address became a host alias";
  EXPECT_EQ(sorted_interfaces(j), "all default lo tbr0");
  EXPECT_EQ(j.out({"sh", "-c", "ip -o -4 addr show | tr -s ' ' | cut -d' ' -f2,4 | tr '\\n' ' '"}),
            "lo 127.0.0.1/8 tbr0 10.77.0.50/24");
  EXPECT_EQ(w.try_run({"busybox", "ping", "-c", "1", "-W", "3", "10.77.0.50"}).exit_code, 0) << "host to jail";
  EXPECT_EQ(j.exec({"ping", "-c", "1", "-W", "3", LinuxWorld::kBridgeAddr}).exit_code, 0) << "jail to host";
  auto nc = j.exec({"nc", "-w", "2", "127.0.0.1", std::to_string(kSecretPort), "-e", "true"});
  EXPECT_NE(nc.err.find("Connection refused"), std::string::npos) << nc.err;
  EXPECT_FALSE(secrets.reached());
  auto bind = j.exec({"timeout", "3", "httpd", "-f", "-p", std::string(LinuxWorld::kBridgeAddr) + ":8080"});
  EXPECT_NE(bind.err.find("assign"), std::string::npos) << bind.err;
  EXPECT_NE(proxies(w).find("10.77.0.50 dev tbr0"), std::string::npos) << "the LAN would not find the jail";

  const std::string host_end = ln::routed_ifname(j.spec.uuid, 0);
  EXPECT_TRUE(ln::link_exists(host_end));
  j.stop();
  EXPECT_FALSE(ln::link_exists(host_end));
  EXPECT_EQ(proxies(w), "");
  EXPECT_EQ(w.run({"ip", "route", "show", "10.77.0.50"}).out, "");
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + ln::netns_name(j.spec.uuid)));
  EXPECT_TRUE(ln::interface_with_address(LinuxWorld::kBridgeAddr));
}

TEST(LinuxNsIsolation, StopCleansUpAfterTheInitDied) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000003",
                            {{"ip4_addr", std::string(LinuxWorld::kBridge) + "|10.77.0.51/24"}}));
  j.start();
  const std::string host_end = ln::routed_ifname(j.spec.uuid, 0);
  ASSERT_TRUE(ln::link_exists(host_end));
  ASSERT_EQ(::kill(j.state->jid, SIGKILL), 0);
  for (int i = 0; i < 200 && ::kill(j.state->jid, 0) == 0; ++i) std::this_thread::sleep_for(10ms);
  j.stop();
  EXPECT_FALSE(ln::link_exists(host_end));
  EXPECT_EQ(proxies(w), "");
  EXPECT_TRUE(w.runtime->running().empty());
}

TEST(LinuxNsIsolation, InheritSharesTheHostStack) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  HostSecrets secrets;
  TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000004", {{"ip4", "inherit"}}));
  j.start();
  EXPECT_EQ(j.out({"readlink", "/proc/self/ns/net"}) + "\n", w.run({"readlink", "/proc/self/ns/net"}).out);
  EXPECT_EQ(sorted_interfaces(j), "all default lo tbr0");
  auto nc = j.exec({"nc", "-w", "2", "127.0.0.1", std::to_string(kSecretPort), "-e", "true"});
  EXPECT_EQ(nc.exit_code, 0) << nc.err;
  EXPECT_TRUE(secrets.reached()) << "ip4=inherit must share the host's loopback";
}

TEST(LinuxNsIsolation, ContradictoryAddressesAreRefusedBeforeAnythingChanges) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  const std::string links = w.run({"ip", "-o", "link", "show"}).out;
  struct Case {
    std::map<std::string, std::string> props;
    std::string expect;
  };
  for (const auto& c : {Case{{{"ip4", "disable"}, {"ip4_addr", "tbr0|10.77.0.52/24"}}, "ip4=disable but ip4_addr is 'tbr0|10.77.0.52/24'"},
                        Case{{{"ip4_addr", "10.77.0.53"}}, "ip4_addr item '10.77.0.53' names no interface"},
                        Case{{{"ip4_addr", "nosuch0|10.77.0.54/24"}}, "interface nosuch0 of 10.77.0.54 does not exist"}}) {
    TestJail j(w, w.make_spec("33333333-aaaa-4bbb-8ccc-000000000005", c.props));
    try {
      j.start();
      ADD_FAILURE() << "started with " << c.expect;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
    }
    EXPECT_TRUE(w.runtime->running().empty());
  }
  EXPECT_EQ(w.run({"ip", "-o", "link", "show"}).out, links);
  EXPECT_EQ(proxies(w), "");
}

}  // namespace
}  // namespace iocell::test
