// A private world for the Linux runtime, network and limits tests: the test
// thread moves into network and mount namespaces of its own (so no
// interface, address or netns name ever shows on the host), brings up lo,
// makes a bridge with an address, and builds busybox-static root
// filesystems in a temporary directory. Everything goes when the fixture
// does: jails are stopped by their guards, the namespaces are left.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iocell/core/properties.hpp>
#include <iocell/core/runners.hpp>
#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail.hpp>
#include <iocell/sdk/limits.hpp>
#include <iocell/sdk/network.hpp>
#include <iocell/sdk/runtime.hpp>

#include "cgroup_limits.hpp"
#include "linux_ns_runtime.hpp"
#include "linux_shared_ip.hpp"
#include "linux_vnet_bridge.hpp"
#include "support/linux_env.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {

/// The world: host context, plugin objects, a bridge, rootfs factory.
class LinuxWorld {
 public:
  static constexpr const char* kBridge = "tbr0";
  static constexpr const char* kBridgeAddr = "10.77.0.1";

  LinuxWorld() : m_tmp("iocell-linuxns") {
    m_net = std::make_unique<PrivateNet>();
    run({"ip", "link", "set", "lo", "up"});
    run({"ip", "link", "add", "name", kBridge, "type", "bridge"});
    run({"ip", "addr", "add", std::string(kBridgeAddr) + "/24", "dev", kBridge});
    run({"ip", "link", "set", kBridge, "up"});
    m_host.os = sdk::HostOs::Linux;
    m_host.root = m_tmp.path() / "iocell";
    std::filesystem::create_directories(m_host.root / "log");
    m_host.runner = &m_runner;
    auto sink = std::make_shared<spdlog::sinks::null_sink_mt>();
    m_host.log = std::make_shared<spdlog::logger>("linuxns-test", sink);
    runtime = std::make_unique<plugins::linux_ns::LinuxNsRuntime>(m_host);
    limits = std::make_unique<plugins::cgroup::CgroupLimits>(m_host);
    shared_ip = std::make_unique<plugins::linux_net::SharedIp>(m_host);
    vnet = std::make_unique<plugins::linux_net::VnetBridge>(m_host);
  }
  ~LinuxWorld() {
    runtime.reset();
    m_net.reset();
  }

  sdk::CommandResult run(const std::vector<std::string>& argv) {
    auto res = m_runner.run(sdk::Command(argv));
    if (!res.ok()) throw std::runtime_error("setup command failed: " + sdk::format_argv(argv) + ": " + res.err);
    return res;
  }
  sdk::CommandResult try_run(const std::vector<std::string>& argv) { return m_runner.run(sdk::Command(argv)); }

  const std::filesystem::path& tmp() const { return m_tmp.path(); }
  sdk::HostContext& host() { return m_host; }

  /// A jail's home with a busybox root: /bin/* applets, passwd, group.
  sdk::JailSpec make_spec(const std::string& uuid, const std::map<std::string, std::string>& props = {}) {
    sdk::JailSpec spec;
    spec.uuid = uuid;
    spec.name = "ioc-" + uuid;
    spec.tag = uuid.substr(0, 8);
    spec.dataset = "jails/" + uuid;
    spec.home = m_host.root / "jails" / uuid;
    spec.root = spec.home / "root";
    spec.console_log = m_host.root / "log" / (uuid + "-console.log");
    auto values = core::builtin_defaults(sdk::HostOs::Linux);
    values["host_hostname"] = uuid;
    values["stop_timeout"] = "5";
    for (const auto& [k, v] : props) values[k] = v;
    spec.props = sdk::PropertyMap(values);
    build_root(spec.root);
    return spec;
  }

  static void build_root(const std::filesystem::path& root) { build_busybox_root(root); }

  std::unique_ptr<plugins::linux_ns::LinuxNsRuntime> runtime;
  std::unique_ptr<plugins::cgroup::CgroupLimits> limits;
  std::unique_ptr<plugins::linux_net::SharedIp> shared_ip;
  std::unique_ptr<plugins::linux_net::VnetBridge> vnet;

 private:
  TempDir m_tmp;
  std::unique_ptr<PrivateNet> m_net;
  core::PosixRunner m_runner;
  sdk::HostContext m_host;
};

/// A jail started the way the core starts one, stopped the way the core
/// stops one by stop() or, whatever happened, by the destructor.
class TestJail {
 public:
  TestJail(LinuxWorld& w, sdk::JailSpec s) : spec(std::move(s)), m_w(w) {}
  ~TestJail() {
    try {
      stop();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "stopping " << spec.uuid << ": " << e.what();
    }
  }
  TestJail(const TestJail&) = delete;
  TestJail& operator=(const TestJail&) = delete;

  sdk::Network& net() { return spec.props.enabled("vnet") ? static_cast<sdk::Network&>(*m_w.vnet) : *m_w.shared_ip; }

  void start() {
    m_prepared = true;
    try {
      m_w.limits->prepare(spec);
      net().prepare(spec);
      state = m_w.runtime->create(spec);
      net().attach(spec, *state);
      m_w.limits->apply(spec, *state);
    } catch (...) {
      stop();
      throw;
    }
  }

  void stop() {
    if (!m_prepared) return;
    m_prepared = false;
    std::string errors;
    auto step = [&](auto&& fn) {
      try {
        fn();
      } catch (const std::exception& e) {
        errors += std::string(e.what()) + "; ";
      }
    };
    if (state) step([&] { net().detach(spec, *state); });
    if (state) step([&] { m_w.runtime->destroy(spec, *state); });
    step([&] { net().cleanup(spec); });
    step([&] { m_w.limits->remove(spec); });
    state.reset();
    if (!errors.empty()) throw std::runtime_error(errors);
  }

  sdk::CommandResult exec(const std::vector<std::string>& argv) {
    sdk::ExecRequest req;
    req.argv = argv;
    return m_w.runtime->exec(spec, *state, req);
  }
  /// The command's stdout without the trailing newline; fails the test on
  /// a non-zero exit.
  std::string out(const std::vector<std::string>& argv) {
    auto res = exec(argv);
    EXPECT_EQ(res.exit_code, 0) << sdk::format_argv(argv) << ": " << res.err;
    std::string s = res.out;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  sdk::JailSpec spec;
  std::optional<sdk::RunState> state;

 private:
  LinuxWorld& m_w;
  bool m_prepared = false;
};

/// Skips unless the test can build worlds: root, busybox-static.
#define IOCELL_REQUIRE_LINUX_WORLD()                                              \
  do {                                                                            \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, cgroups)";     \
    if (iocell::test::busybox_path().empty()) GTEST_SKIP() << "needs busybox-static"; \
  } while (0)

}  // namespace iocell::test
