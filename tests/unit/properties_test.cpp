#include <random>

#include <gtest/gtest.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/properties.hpp>

using namespace iocell::core;

namespace {

void ok(const std::string& name, const std::string& value) {
  EXPECT_NO_THROW(validate_property(name, value)) << name << "=" << value;
}

// The message must name the property, the value and what is allowed.
void bad(const std::string& name, const std::string& value) {
  try {
    validate_property(name, value);
    ADD_FAILURE() << name << "=" << value << " was accepted";
  } catch (const UsageError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
    if (!value.empty()) EXPECT_NE(msg.find(value), std::string::npos) << msg;
    EXPECT_NE(msg.find("allowed"), std::string::npos) << msg;
  }
}

}  // namespace

TEST(Properties, EveryDocumentedPropertyIsInTheTable) {
  for (const char* n : {"tag", "vnet", "ip4_addr", "ip6_addr", "defaultrouter", "defaultrouter6", "allow_raw_sockets", "template",
                        "boot", "priority", "notes", "cpuset", "memoryuse", "pcpu", "rlimits", "hack88", "pkglist", "release",
                        "exec_start", "exec_stop", "interfaces", "vnet0_mac", "vnet9_mac", "jail_zfs", "jail_zfs_dataset",
                        "jail_zfs_mountpoint", "quota", "reservation", "compression", "devfs_ruleset", "mount_procfs",
                        "mount_linprocfs", "host_hostname", "resolver", "exec_fib", "bpf", "dhcp", "ftphost", "wallclock"}) {
    EXPECT_NE(find_property(n), nullptr) << n;
  }
  EXPECT_EQ(find_property("no_such_thing"), nullptr);
}

TEST(Properties, OnOffYesNoFlags) {
  ok("vnet", "on");
  ok("vnet", "off");
  bad("vnet", "yes");
  ok("template", "yes");
  bad("template", "on");
  ok("allow_raw_sockets", "1");
  bad("allow_raw_sockets", "2");
  bad("boot", "");
}

TEST(Properties, IntegersWithRanges) {
  ok("priority", "0");
  ok("priority", "99");
  bad("priority", "100");
  bad("priority", "-1");
  bad("priority", "1x");
  ok("securelevel", "-1");
  bad("securelevel", "4");
  bad("exec_timeout", "99999999999999999999");
}

TEST(Properties, Sizes) {
  ok("quota", "none");
  ok("quota", "4G");
  ok("quota", "512M");
  ok("quota", "1.5T");
  bad("quota", "4Q");
  bad("quota", "-4G");
  EXPECT_EQ(parse_size("4G"), 4ULL << 30);
  EXPECT_EQ(parse_size("1024"), 1024u);
  EXPECT_EQ(parse_size("1k"), 1024u);
}

TEST(Properties, RctlRules) {
  ok("memoryuse", "4G:deny");
  ok("pcpu", "20:log");
  ok("maxproc", "100:sigterm");
  ok("memoryuse", "off");
  ok("readbps", "10M:throttle");
  bad("memoryuse", "4G");
  bad("memoryuse", "4G:explode");
  bad("cputime", "100:deny");    // deny is not available for cputime
  bad("memoryuse", "1G:throttle");  // throttle only for I/O
  bad("memoryuse", "lots:deny");
  // kern_rctl.c: deny is refused for cputime, wallclock and the I/O rates,
  // throttle for all but the I/O rates; memoryuse and pcpu take deny.
  ok("pcpu", "50:deny");
  bad("wallclock", "3600:deny");
  bad("pcpu", "50:throttle");
  // Signal actions are the kernel's list (kern_rctl.c actionnames): an
  // unknown one would make the whole `rctl -a` fail at start.
  ok("maxproc", "100:sigthr");
  ok("openfiles", "1000:sigusr1");
  bad("maxproc", "100:sig9");
  bad("maxproc", "100:sigfoo");
}

TEST(Properties, IpSpecs) {
  ok("ip4_addr", "em0|10.1.1.10/24");
  ok("ip4_addr", "em0|10.1.1.10/24,em0|10.1.1.11/24");
  ok("ip4_addr", "DEFAULT|10.1.1.10");
  ok("ip4_addr", "none");
  ok("ip6_addr", "vnet0|2001:db8::5/64");
  ok("ip6_addr", "em0|2001:123:456:242::5/64");
  bad("ip4_addr", "em0|10.1.1.300/24");
  bad("ip4_addr", "em0|10.1.1.1/33");
  bad("ip4_addr", "em0|2001:db8::1/64");
  bad("ip6_addr", "em0|10.0.0.1/24");
  bad("ip4_addr", "em0|10.1.1.10/24,");
  bad("ip4_addr", "e m0|10.1.1.10/24");
  bad("ip4_addr", "averyveryverylongname0|10.0.0.1");
}

TEST(Properties, Interfaces) {
  ok("interfaces", "vnet0:bridge0");
  ok("interfaces", "vnet0:bridge0,vnet1:bridge1");
  bad("interfaces", "vnet10:bridge0");
  bad("interfaces", "eth0:bridge0");
  bad("interfaces", "vnet0");
}

TEST(Properties, Tags) {
  ok("tag", "www");
  ok("tag", "2026-11-29@06:30:00");
  bad("tag", "a/b");
  bad("tag", "a b");
  bad("tag", "-rf");
  bad("tag", "default");
  bad("tag", "ALL");
  bad("tag", std::string(129, 'x'));
}

// A tag that could be the start of a UUID would take a UUID prefix from the
// jail it belongs to; anything a UUID cannot start with stays a tag.
TEST(Properties, TagsThatCouldBeginAUuidAreRefused) {
  for (const char* t : {"a", "cafe", "2024", "deadbeef", "deadbeef-", "0a1b2c3d-4e5f", "0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"}) {
    try {
      iocell::core::validate_property("tag", t);
      ADD_FAILURE() << t << " was accepted";
    } catch (const iocell::core::UsageError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("'" + std::string(t) + "'"), std::string::npos) << msg;
      EXPECT_NE(msg.find("beginning of a jail's UUID"), std::string::npos) << msg;
    }
  }
  for (const char* t : {"CAFE", "cafeteria", "web", "2024-12", "deadbeefa", "deadbeef-x", "0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d0", "db_1"})
    ok("tag", t);
}

TEST(Properties, OthersAndReadOnly) {
  ok("defaultrouter", "10.1.1.254");
  bad("defaultrouter", "2001:db8::1");
  ok("defaultrouter6", "2001:db8::1");
  ok("cpuset", "1");
  ok("cpuset", "0-3,6");
  bad("cpuset", "0-");
  ok("vnet0_mac", "02ff60a1b2c3,02ff60a1b2c4");
  bad("vnet0_mac", "02ff60a1b2c3");
  ok("release", "14.3-RELEASE");
  ok("release", "15.0-CURRENT");
  bad("release", "latest");
  bad("pkglist", "relative/path");
  EXPECT_THROW(validate_property("uuid", "x"), UsageError);
  EXPECT_THROW(validate_property("nonexistent", "x"), UsageError);
  bad("notes", "two\nlines");
}

TEST(Properties, DefaultsCoverSettableProperties) {
  auto d = builtin_defaults(iocell::sdk::HostOs::Linux);
  EXPECT_EQ(d.at("priority"), "99");
  EXPECT_EQ(d.at("memoryuse"), "8G:log");
  EXPECT_EQ(d.at("devfs_ruleset"), "4");
  EXPECT_EQ(d.count("uuid"), 0u);
  for (const auto& [k, v] : d) EXPECT_NO_THROW(validate_property(k, v)) << k << "=" << v;
}

namespace iocell::core {
namespace {

// layered_defaults against the plain way of writing it, on random layers.
TEST(Properties, LayeredDefaultsAsThreeAssignmentLoops) {
  std::mt19937 gen(5);
  std::vector<std::string> names;
  for (const auto& d : property_table()) names.emplace_back(d.name);
  names.insert(names.end(), {"", "aaa_not_a_property", "zzz_user:prop", "Upper"});
  for (int round = 0; round < 200; ++round) {
    std::map<std::string, std::string> system, own;
    for (unsigned n = gen() % 10; n > 0; --n) system[names[gen() % names.size()]] = "s" + std::to_string(gen() % 9);
    for (unsigned n = gen() % 40; n > 0; --n) own[names[gen() % names.size()]] = gen() % 5 ? "o" + std::to_string(gen() % 9) : "";
    auto expected = builtin_defaults(sdk::HostOs::Linux);
    for (const auto& [k, v] : system) expected[k] = v;
    for (const auto& [k, v] : own) expected[k] = v;
    EXPECT_EQ(layered_defaults(system, own), expected);
  }
}

}  // namespace
}  // namespace iocell::core

// rc.d/jail's default exec.stop is "/bin/sh /etc/rc.shutdown jail";
// rc.shutdown keeps its argument as rc_shutdown (`rc_shutdown=${1:-"unspecified"}`),
// which rc.d scripts read to tell why the system stops.
TEST(Properties, DefaultExecStopTellsRcShutdownItStopsAJail) {
  EXPECT_EQ(builtin_defaults(iocell::sdk::HostOs::FreeBSD).at("exec_stop"), "/bin/sh /etc/rc.shutdown jail");
}
