// iocell-runtime's reading of config.json (core/oci/spec.hpp): what podman
// sends is mapped, and every field without an equivalent is refused by name.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include <iocell/core/errors.hpp>
#include <iocell/core/oci/engine.hpp>
#include <iocell/core/oci/spec.hpp>
#include <iocell/core/oci/state.hpp>

#include "support/error_of.hpp"

namespace {

using nlohmann::json;
namespace co = iocell::core::oci;
using iocell::test::error_of;

// The shape of what podman 4 writes (trimmed: one seccomp rule).
json podman_config() {
  return json::parse(R"({
    "ociVersion": "1.0.2-dev",
    "process": {"user": {"uid": 0, "gid": 0, "umask": 18, "additionalGids": [10]}, "args": ["sleep", "100"],
                "env": ["PATH=/usr/bin:/bin", "TERM=xterm"], "cwd": "/",
                "capabilities": {"bounding": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_CHOWN", "CAP_KILL"],
                                 "permitted": ["CAP_CHOWN", "CAP_KILL"]},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]},
    "root": {"path": "rootfs"},
    "hostname": "c1",
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
               {"destination": "/etc/hosts", "type": "bind", "source": "/run/x/hosts", "options": ["bind", "rprivate"]}],
    "annotations": {"io.container.manager": "libpod"},
    "linux": {"sysctl": {"net.ipv4.ping_group_range": "0 0"},
              "resources": {"devices": [{"allow": false, "access": "rwm"}], "pids": {"limit": 2048}},
              "cgroupsPath": "/libpod_parent/libpod-abc",
              "namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/netns/x"}, {"type": "mount"}],
              "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["swapon"], "action": "SCMP_ACT_ERRNO"}]},
              "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]}})");
}

TEST(OciRuntimeSpec, PodmansConfigIsMapped) {
  auto p = co::parse_config(podman_config(), "c1", "/b");
  const auto& c = p.container;
  EXPECT_EQ(c.root, "/b/rootfs") << "a relative root is the bundle's";
  EXPECT_EQ(c.process.args, (std::vector<std::string>{"sleep", "100"}));
  EXPECT_EQ(c.process.umask, 18u);
  EXPECT_EQ(c.process.additional_gids, (std::vector<std::uint32_t>{10}));
  EXPECT_EQ(c.process.caps_bounding, (1ULL << 0) | (1ULL << 5));
  ASSERT_EQ(c.process.rlimits.size(), 1u);
  EXPECT_EQ(c.process.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(c.process.rlimits[0].hard, 1024u);
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[1].type, "bind");
  ASSERT_EQ(c.namespaces.size(), 3u);
  EXPECT_EQ(c.namespaces[1].path, "/run/netns/x");
  EXPECT_EQ(c.sysctl.at("net.ipv4.ping_group_range"), "0 0");
  EXPECT_EQ(c.masked_paths, (std::vector<std::string>{"/proc/kcore"}));
  EXPECT_EQ(p.limits, (std::vector<std::pair<std::string, std::string>>{{"maxproc", "2048:deny"}}));
  EXPECT_EQ(p.annotations.at("io.container.manager"), "libpod");
  ASSERT_EQ(p.warnings.size(), 2u) << "seccomp and the device rules are reported, not silently dropped";
  EXPECT_NE(p.warnings[0].find("linux.seccomp"), std::string::npos);
  EXPECT_NE(p.warnings[1].find("linux.resources.devices"), std::string::npos);
}

// What containerd's ctr sends (cpu.shares 1024 always) and what --cpus and
// --cpuset-cpus become.
TEST(OciRuntimeSpec, CpuResourcesBecomeIocellLimits) {
  json c = podman_config();
  c["linux"]["resources"] = json::parse(R"({"cpu": {"shares": 1024}})");
  EXPECT_TRUE(co::parse_config(c, "c1", "/b").limits.empty()) << "the default weight changes nothing";
  c["linux"]["resources"] = json::parse(R"({"cpu": {"shares": 1024, "quota": 150000, "period": 100000, "cpus": "0-1"}})");
  EXPECT_EQ(co::parse_config(c, "c1", "/b").limits,
            (std::vector<std::pair<std::string, std::string>>{{"pcpu", "150:deny"}, {"cpuset", "0-1"}}));
  c["linux"]["resources"] = json::parse(R"({"cpu": {"quota": 1, "period": 3}})");
  EXPECT_EQ(co::parse_config(c, "c1", "/b").limits, (std::vector<std::pair<std::string, std::string>>{{"pcpu", "34:deny"}}))
      << "a quota rounds up, never below what was asked";
}

TEST(OciRuntimeSpec, FieldsWithoutAnEquivalentAreRefusedByName) {
  struct Case {
    const char* pointer;
    json value;
    const char* named;
  };
  const std::vector<Case> cases{
      {"/linux/uidMappings", json::parse(R"([{"containerID":0,"hostID":1000,"size":1}])"), "linux.uidMappings"},
      {"/linux/namespaces/0", json::parse(R"({"type":"user"})"), "user namespaces"},
      {"/linux/namespaces/0", json::parse(R"({"type":"time"})"), "'time'"},
      {"/process/apparmorProfile", "docker-default", "process.apparmorProfile"},
      {"/process/selinuxLabel", "system_u:system_r:container_t", "process.selinuxLabel"},
      {"/linux/mountLabel", "system_u:object_r:container_file_t", "linux.mountLabel"},
      {"/hooks", json::parse(R"({"prestart":[{"path":"/bin/true"}]})"), "hooks"},
      {"/vm", json::parse(R"({"kernel":{"path":"/k"}})"), "vm"},
      {"/linux/devices", json::parse(R"([{"path":"/dev/fuse","type":"c","major":10,"minor":229}])"), "linux.devices"},
      {"/linux/resources/blockIO", json::parse(R"({"weight":10})"), "linux.resources.blockIO"},
      {"/linux/resources/memory", json::parse(R"({"limit":1,"swap":2})"), "linux.resources.memory.swap"},
      {"/linux/resources/cpu", json::parse(R"({"shares":512})"), "linux.resources.cpu.shares"},
      {"/linux/resources/cpu", json::parse(R"({"realtimeRuntime":950000})"), "linux.resources.cpu.realtimeRuntime"},
      {"/linux/cgroupsPath", "machine.slice:libpod:abc", "systemd slice"},
      {"/mounts/0", json::parse(R"({"destination":"/x","type":"overlay","source":"o"})"), "'overlay'"},
      {"/mounts/0", json::parse(R"({"destination":"/x","type":"bind","source":"rel/dir"})"), "mounts[0].source"},
      {"/mounts/0", json::parse(R"({"destination":"x","type":"tmpfs","source":"t"})"), "mounts[0].destination"},
      {"/process/capabilities/bounding/0", "CAP_NOPE", "CAP_NOPE"},
      {"/process/rlimits/0", json::parse(R"({"type":"RLIMIT_NOFILE","soft":10,"hard":5})"), "soft limit above"},
      {"/process/rlimits/0", json::parse(R"({"type":"RLIMIT_BOGUS","soft":1,"hard":1})"), "RLIMIT_BOGUS"},
      {"/ociVersion", "0.9.0", "ociVersion"},
      {"/linux/rootfsPropagation", "shared", "linux.rootfsPropagation"},
  };
  for (const auto& k : cases) {
    json c = podman_config();
    c[json::json_pointer(k.pointer)] = k.value;
    const std::string err = error_of([&] { co::parse_config(c, "c1", "/b"); });
    EXPECT_NE(err.find(k.named), std::string::npos) << k.pointer << ": " << err;
    bool usage = false;
    try {
      co::parse_config(c, "c1", "/b");
    } catch (const iocell::core::UsageError&) {
      usage = true;
    } catch (...) {
    }
    EXPECT_TRUE(usage) << k.pointer << " is a bad request (exit 2)";
  }
}

TEST(OciRuntimeSpec, ExecProcessNeedsArgs) {
  std::vector<std::string> w;
  EXPECT_NE(error_of([&] { co::parse_process(json::parse(R"({"cwd":"/"})"), "process", w); }).find("process.args"),
            std::string::npos);
  EXPECT_NE(error_of([&] { co::parse_process(json::parse(R"({"args":["x"],"cwd":"rel"})"), "process", w); }).find("process.cwd"),
            std::string::npos);
}

TEST(OciRuntimeSpec, ContainerIdsCannotLeaveTheStateRoot) {
  for (const std::string bad : {"", "../x", "a/b", ".run", "..", "a b"})
    EXPECT_NE(error_of([&] { co::check_id(bad); }).find("invalid container id"), std::string::npos) << bad;
  EXPECT_EQ(error_of([] { co::check_id("3a096f4d9dd0_web-1.2+x"); }), "");
}

TEST(OciRuntimeSpec, SignalsByNameAndNumber) {
  EXPECT_EQ(co::signal_number("TERM"), SIGTERM);
  EXPECT_EQ(co::signal_number("SIGKILL"), SIGKILL);
  EXPECT_EQ(co::signal_number("sigusr1"), SIGUSR1);
  EXPECT_EQ(co::signal_number("9"), 9);
  EXPECT_EQ(co::signal_number("BOGUS"), std::nullopt);
  EXPECT_EQ(co::signal_number("0"), std::nullopt);
  EXPECT_EQ(co::signal_number("99999"), std::nullopt);
}

}  // namespace
