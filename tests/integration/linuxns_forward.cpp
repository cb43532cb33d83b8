// Port forwarding (rdr) on Linux for real, with the iocell binary, inside a
// network namespace of the test's own: a client namespace behind a veth
// pair reaches a server in a VNET jail through the forwarded host port while
// the jail runs, and not after it stops; a rule the test put in a table of
// its own survives every iocell command.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/linux_env.hpp"
#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBridge = "fbr0";
constexpr const char* kOutside = "192.0.2.1";  // the host's address facing the client
constexpr const char* kJail = "10.79.0.31";

class Forwarding : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, nftables)";
    if (busybox_path().empty()) GTEST_SKIP() << "needs busybox-static";
    if (!m_runner.run(sdk::Command({"nft", "--version"})).ok()) GTEST_SKIP() << "needs nft";
    m_net = std::make_unique<PrivateNet>();
    sh({"ip", "link", "set", "lo", "up"});
    sh({"ip", "link", "add", "name", kBridge, "type", "bridge"});
    sh({"ip", "addr", "add", "10.79.0.1/24", "dev", kBridge});
    sh({"ip", "link", "set", kBridge, "up"});
    // The client: a namespace of its own behind a veth pair, so that its
    // packets arrive on an interface and meet the prerouting hook.
    sh({"ip", "netns", "add", "fclient"});
    sh({"ip", "link", "add", "fext0", "type", "veth", "peer", "name", "fcl0", "netns", "fclient"});
    sh({"ip", "addr", "add", std::string(kOutside) + "/24", "dev", "fext0"});
    sh({"ip", "link", "set", "fext0", "up"});
    sh({"ip", "-n", "fclient", "addr", "add", "192.0.2.2/24", "dev", "fcl0"});
    sh({"ip", "-n", "fclient", "link", "set", "fcl0", "up"});
    sh({"ip", "-n", "fclient", "link", "set", "lo", "up"});
    std::ofstream("/proc/sys/net/ipv4/ip_forward") << "1\n";  // this namespace's own
    // The admin's own rule, in a table iocell has no business with.
    sh({"nft", "add", "table", "ip", "admin"});
    sh({"nft", "add", "chain", "ip", "admin", "input", "{ type filter hook input priority 0; policy accept; }"});
    sh({"nft", "add", "rule", "ip", "admin", "input", "tcp", "dport", "2222", "counter", "accept"});
  }
  void TearDown() override {
    if (!m_net) return;
    m_runner.run(sdk::Command({"ip", "netns", "del", "fclient"}));
    m_net.reset();
  }

  sdk::CommandResult sh(const std::vector<std::string>& argv) {
    auto r = m_runner.run(sdk::Command(argv));
    if (!r.ok()) ADD_FAILURE() << sdk::format_argv(argv) << ": " << r.err;
    return r;
  }
  CliResult run(std::vector<std::string> args) {
    auto r = run_iocell(m_root, args, {{"IOCELL_STORAGE", "dir"}});
    admin_rule_survives(args);
    return r;
  }
  CliResult ok(const std::vector<std::string>& args) { return expect_success(args, run(args)); }
  void admin_rule_survives(const std::vector<std::string>& after) {
    const auto r = m_runner.run(sdk::Command({"nft", "list", "table", "ip", "admin"}));
    EXPECT_NE(r.out.find("tcp dport 2222 counter"), std::string::npos) << "after iocell " << sdk::format_argv(after) << ": " << r.out;
  }
  /// What the client gets from `address` port 8080, "" when nothing
  /// answers. nc, not wget: the static busybox's wget crashes on some hosts.
  std::string fetch(const std::string& address = kOutside) {
    sdk::Command c({"ip", "netns", "exec", "fclient", busybox_path(), "nc", "-w", "3", address, "8080"});
    c.stdin_data = "GET / HTTP/1.0\r\n\r\n";
    c.timeout = std::chrono::seconds(20);
    auto r = m_runner.run(c);
    return r.ok() ? r.out : "";
  }
  bool served(const std::string& address = kOutside) { return fetch(address).find("served by www\n") != std::string::npos; }
  std::string nft_ruleset() { return m_runner.run(sdk::Command({"nft", "list", "ruleset"})).out; }

  void make_jail(const std::string& tag, const std::string& ip4_addr, const std::string& rdr,
                 const std::string& router = "10.79.0.1") {
    ok({"create", "-e", "tag=" + tag, "vnet=on", "interfaces=vnet0:" + std::string(kBridge), "ip4_addr=" + ip4_addr,
        "defaultrouter=" + router, "rdr=" + rdr});
    const std::string uuid = trim(ok({"get", "uuid", tag}).out);
    const fs::path root = m_root / "jails" / uuid / "root";
    build_busybox_root(root);
    fs::create_directories(root / "www");
    std::ofstream(root / "www" / "index.html") << "served by " << tag << "\n";
  }

  TempDir m_dir{"iocell-forward"};
  fs::path m_root = m_dir.path() / "root";
  core::PosixRunner m_runner;
  std::unique_ptr<PrivateNet> m_net;
};

TEST_F(Forwarding, AForwardedPortReachesTheJailWhileItRunsAndLeavesOtherTablesAlone) {
  const std::string rdr = std::string("tcp(fext0|") + kOutside + "):8080->80";
  make_jail("www", std::string("vnet0|") + kJail + "/24", rdr);
  EXPECT_EQ(trim(ok({"get", "rdr", "www"}).out), rdr);
  const std::string uuid = trim(ok({"get", "uuid", "www"}).out);

  // --dry-run shows the rules it would load, and loads nothing.
  auto dry = ok({"--dry-run", "start", "www"});
  EXPECT_NE(dry.out.find("would run: nft -f -"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find(std::string("< add rule inet iocell rdr-") + uuid + " iifname \"fext0\" ip daddr " + kOutside +
                         " tcp dport 8080 dnat ip to " + kJail + ":80"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(nft_ruleset().find("rdr-" + uuid), std::string::npos);

  ok({"start", "www"});
  ok({"exec", "www", "/bin/sh", "-c", "httpd -p 80 -h /www </dev/null >/dev/null 2>&1"});
  EXPECT_TRUE(served());
  // Bound to the address given: the host's other address does not forward.
  sh({"ip", "-n", "fclient", "route", "add", "10.79.0.0/24", "via", kOutside});
  EXPECT_EQ(fetch("10.79.0.1"), "") << "the forward answered on an address it was not given";

  // Stop removes what start loaded because rdr cannot change in between.
  auto changed = run({"set", "rdr=none", "www"});
  EXPECT_NE(changed.code, 0) << changed.out;
  EXPECT_EQ(trim(ok({"get", "rdr", "www"}).out), rdr);

  const std::string ruleset = nft_ruleset();
  EXPECT_NE(ruleset.find("table inet iocell"), std::string::npos) << ruleset;
  EXPECT_NE(ruleset.find("chain rdr-" + uuid), std::string::npos) << ruleset;

  ok({"stop", "www"});
  EXPECT_EQ(fetch(), "") << "the forward outlived the jail";
  EXPECT_EQ(nft_ruleset().find("rdr-" + uuid), std::string::npos) << nft_ruleset();
  // A second stop, and a start after it, find nothing in the way.
  ok({"stop", "www"});
  ok({"start", "www"});
  ok({"exec", "www", "/bin/sh", "-c", "httpd -p 80 -h /www </dev/null >/dev/null 2>&1"});
  EXPECT_TRUE(served());
  ok({"stop", "www"});
  ok({"destroy", "-f", "www"});
}

TEST_F(Forwarding, AStartThatCannotForwardFailsWholeAndLeavesNoChain) {
  // No static address to forward to: the start fails after the network
  // was attached, and the undo takes the chain and the network away.
  make_jail("nowhere", "none", std::string("tcp(fext0|") + kOutside + "):8080->80", "none");
  const std::string uuid = trim(ok({"get", "uuid", "nowhere"}).out);
  auto r = run({"start", "nowhere"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("ip4_addr"), std::string::npos) << r.err;
  EXPECT_EQ(nft_ruleset().find("rdr-" + uuid), std::string::npos) << nft_ruleset();
  EXPECT_EQ(trim(ok({"list", "-H"}).out).find("\tup\t"), std::string::npos);
}

TEST_F(Forwarding, BadEntriesAreRefusedAtSetNamingTheEntry) {
  ok({"create", "-e", "tag=www"});
  // Each value next to the entry its message must name.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tcp(fext0):80->80", "tcp(fext0):80->80"},
      {"sctp(fext0|192.0.2.1):80->80", "sctp(fext0|192.0.2.1):80->80"},
      {"tcp(fext0|192.0.2.300):80->80", "tcp(fext0|192.0.2.300):80->80"},
      {"tcp(fext0|192.0.2.1):0->80", "tcp(fext0|192.0.2.1):0->80"},
      {"tcp(fext0|192.0.2.1):80", "tcp(fext0|192.0.2.1):80"},
      {"tcp(fext0|192.0.2.1):80->80,tcp(fext0|192.0.2.1):80->81", "tcp(fext0|192.0.2.1):80->81"}};
  for (const auto& [value, entry] : cases) {
    auto r = run({"set", "rdr=tcp(fext0|2001:db8::1):443->443," + value, "www"});
    EXPECT_EQ(r.code, 2) << value << ": " << r.err;
    EXPECT_NE(r.err.find("invalid forward '" + entry + "'"), std::string::npos) << r.err;
    EXPECT_EQ(trim(ok({"get", "rdr", "www"}).out), "none") << value;
  }
  ok({"set", "rdr=tcp(fext0|2001:db8::1):443->443,udp(fext0|0.0.0.0):53->53", "www"});
}

TEST_F(Forwarding, DoctorAsksForIpForwardingOnceAVnetJailForwards) {
  std::ofstream("/proc/sys/net/ipv4/ip_forward") << "0\n";
  auto before = run({"doctor"});
  EXPECT_EQ(before.out.find("net.ipv4.ip_forward"), std::string::npos) << "no jail forwards yet:\n" << before.out;
  make_jail("www", std::string("vnet0|") + kJail + "/24", std::string("tcp(fext0|") + kOutside + "):8080->80");
  auto off = run({"doctor"});
  EXPECT_EQ(off.code, 1) << off.out;
  const size_t line = off.out.find("FAIL  net.ipv4.ip_forward: 0\n      fix: sysctl -w net.ipv4.ip_forward=1");
  EXPECT_NE(line, std::string::npos) << off.out;
  EXPECT_NE(off.out.find("ok    nftables: nftables v"), std::string::npos) << off.out;
  std::ofstream("/proc/sys/net/ipv4/ip_forward") << "1\n";
  EXPECT_NE(run({"doctor"}).out.find("ok    net.ipv4.ip_forward: 1\n"), std::string::npos);
}

}  // namespace
}  // namespace iocell::test
