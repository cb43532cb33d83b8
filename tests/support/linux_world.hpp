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
#include "support/temp_dir.hpp"

namespace iocell::test {

inline std::string busybox_path() {
  for (const char* p : {"/bin/busybox", "/usr/bin/busybox"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Namespaces of the test thread: entered in the constructor, left (setns
/// back) in the destructor.
class PrivateNet {
 public:
  PrivateNet() {
    m_net = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    m_mnt = ::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    char cwd[4096];
    m_cwd = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
    if (m_net < 0 || m_mnt < 0 || ::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
      throw std::runtime_error("cannot unshare the test's namespaces");
    m_entered = true;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      throw std::runtime_error("cannot make / private");
    // `ip netns attach` writes /run/netns: keep it inside this mount namespace.
    if (::mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") != 0)
      throw std::runtime_error("cannot mount a private /run");
  }
  ~PrivateNet() {
    if (m_entered) {
      ::setns(m_net, CLONE_NEWNET);
      ::setns(m_mnt, CLONE_NEWNS);
      if (::chdir(m_cwd.c_str()) != 0) {
        // The directory of the test run went away: nothing to return to.
      }
    }
    if (m_net >= 0) ::close(m_net);
    if (m_mnt >= 0) ::close(m_mnt);
  }
  PrivateNet(const PrivateNet&) = delete;
  PrivateNet& operator=(const PrivateNet&) = delete;

 private:
  int m_net = -1, m_mnt = -1;
  bool m_entered = false;
  std::string m_cwd;
};

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

  static void build_root(const std::filesystem::path& root) {
    namespace fs = std::filesystem;
    for (const char* d : {"bin", "etc", "proc", "dev", "tmp", "root", "mnt", "home/user"}) fs::create_directories(root / d);
    fs::copy_file(busybox_path(), root / "bin" / "busybox", fs::copy_options::overwrite_existing);
    core::PosixRunner r;
    auto list = r.run(sdk::Command{busybox_path(), "--list"});
    std::istringstream in(list.out);
    std::string applet;
    while (in >> applet) {
      if (applet == "busybox") continue;
      std::error_code ec;
      fs::create_symlink("busybox", root / "bin" / applet, ec);
    }
    std::ofstream(root / "etc" / "passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                           << "user:x:1000:1000:user:/home/user:/bin/sh\n"
                                           << "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    std::ofstream(root / "etc" / "group") << "root:x:0:\nuser:x:1000:\nwheel:x:10:user\nnogroup:x:65534:\n";
  }

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
