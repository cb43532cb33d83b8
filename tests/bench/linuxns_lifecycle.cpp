// Benchmark: a jail's whole life, start -> exec true -> stop, with the real
// iocell binary (linux-ns, shared-ip, cgroup, dir storage) against the raw
// tools doing the same steps (unshare + pivot_root + proc + hostname with a
// shell init, nsenter, kill), side by side in one run. Target: at most 2x.
// Also prints the plugins driven in-process the way the core drives them,
// which is what iocell's own code costs without the CLI around it.
//
// Runs as root inside a network and mount namespace of its own.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <iocell/core/properties.hpp>
#include <iocell/core/runners.hpp>

#include "cgroup_limits.hpp"
#include "linux_ns_runtime.hpp"
#include "linux_shared_ip.hpp"
#include "support/linux_env.hpp"
#include "support/temp_dir.hpp"

using namespace iocell;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Thrown, not exit(): the guards below must stop what a failed run started.
[[noreturn]] void die(const std::string& what) { throw std::runtime_error(what); }

sdk::CommandResult must(core::PosixRunner& r, const std::vector<std::string>& argv) {
  auto res = r.run(sdk::Command(argv));
  if (!res.ok()) die(sdk::format_argv(argv) + " failed: " + res.out + res.err);
  return res;
}

const char* kJrun =
    "#!/bin/sh\n"
    "# usage: jrun.sh ROOT HOSTNAME CMD... (linux-primitives.md, section 3)\n"
    "J=$1; H=$2; shift 2\n"
    "mount --bind \"$J\" \"$J\" && cd \"$J\" && pivot_root . .oldroot && exec /bin/sh -c "
    "'mount -t proc proc /proc && umount -l /.oldroot && hostname \"$0\" && exec \"$@\"' \"$H\" \"$@\"\n";

// The raw jail: unshare runs jrun.sh, whose init prints "ready" once the
// root is pivoted and proc mounted. The destructor kills what is left.
struct RawJail {
  pid_t up = 0;    ///< unshare, our child
  pid_t init = 0;  ///< the namespace's pid 1
  RawJail(const std::filesystem::path& jrun, const std::filesystem::path& root) {
    int fds[2];
    if (::pipe(fds) != 0) die("pipe");
    up = ::fork();
    if (up == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      ::setsid();
      ::execlp("unshare", "unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--propagation", "private", "/bin/sh",
               jrun.c_str(), root.c_str(), "rawjail", "/bin/sh", "-c",
               "echo ready; trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    char buf[16] = {};
    const bool ready = ::poll(&p, 1, 10000) > 0 && ::read(fds[0], buf, sizeof buf - 1) > 0;
    ::close(fds[0]);
    std::ifstream children("/proc/" + std::to_string(up) + "/task/" + std::to_string(up) + "/children");
    children >> init;
    if (!ready || init <= 0) die("the raw jail did not start");
  }
  void stop(core::PosixRunner& r) {
    must(r, {"kill", "-TERM", std::to_string(init)});
    int status = 0;
    ::waitpid(up, &status, 0);
    up = 0;
  }
  ~RawJail() {
    if (up <= 0) return;
    if (init > 0) ::kill(init, SIGKILL);
    ::kill(up, SIGKILL);
    ::waitpid(up, nullptr, 0);
  }
};

}  // namespace

int run(int runs);

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    return run(argc > 1 ? std::atoi(argv[1]) : 15);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linuxns_lifecycle: %s\n", e.what());
    return 1;
  }
}

int run(int runs) {
  if (::geteuid() != 0) {
    std::printf("linuxns_lifecycle: skipped (needs root)\n");
    return 0;
  }
  if (test::busybox_path().empty()) die("needs busybox-static");
  test::PrivateNet net;
  core::PosixRunner runner;
  must(runner, {"ip", "link", "set", "lo", "up"});
  test::TempDir dir("iocell-bench-lifecycle");
  const auto root = dir.path() / "iocell";

  // The iocell jail: an empty jail of the CLI filled with busybox.
  must(runner, {IOCELL_BINARY, "--root", root.string(), "create", "-e", "tag=bench"});
  std::filesystem::path jail_root;
  for (const auto& e : std::filesystem::directory_iterator(root / "jails"))
    if (e.is_directory() && e.path().filename().string()[0] != '.') jail_root = e.path() / "root";
  if (jail_root.empty()) die("create -e made no jail");
  test::build_busybox_root(jail_root);
  // The raw jail: the same files.
  const auto raw_root = dir.path() / "raw";
  test::build_busybox_root(raw_root);
  std::filesystem::create_directories(raw_root / ".oldroot");
  // The shell init backgrounds `sleep` with stdin from /dev/null.
  if (::mknod((raw_root / "dev" / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) die("mknod /dev/null");
  const auto jrun = dir.path() / "jrun.sh";
  std::ofstream(jrun) << kJrun;

  const std::vector<std::string> base = {IOCELL_BINARY, "--root", root.string()};
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  // Whatever fails, no jail outlives the run.
  struct StopCli {
    core::PosixRunner& r;
    std::vector<std::string> stop;
    ~StopCli() { r.run(sdk::Command(stop)); }
  } stop_cli{runner, cli({"stop", "bench"})};
  auto iocell_cycle = [&](double& s, double& x, double& t) {
    auto t0 = Clock::now();
    must(runner, cli({"start", "bench"}));
    s = ms_since(t0);
    auto t1 = Clock::now();
    must(runner, cli({"exec", "bench", "true"}));
    x = ms_since(t1);
    auto t2 = Clock::now();
    must(runner, cli({"stop", "bench"}));
    t = ms_since(t2);
  };
  auto raw_cycle = [&](double& s, double& x, double& t) {
    auto t0 = Clock::now();
    RawJail raw(jrun, raw_root);
    s = ms_since(t0);
    auto t1 = Clock::now();
    must(runner, {"nsenter", "-t", std::to_string(raw.init), "-a", "true"});
    x = ms_since(t1);
    auto t2 = Clock::now();
    raw.stop(runner);
    t = ms_since(t2);
  };

  // In-process: the plugin objects in the order the core calls them.
  sdk::HostContext host;
  host.os = sdk::HostOs::Linux;
  host.root = dir.path() / "inproc";
  host.runner = &runner;
  host.log = std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  plugins::linux_ns::LinuxNsRuntime runtime(host);
  plugins::cgroup::CgroupLimits limits(host);
  plugins::linux_net::SharedIp shared(host);
  sdk::JailSpec spec;
  spec.uuid = "bbbbbbbb-0000-4000-8000-00000000beef";
  spec.name = "ioc-" + spec.uuid;
  spec.home = host.root / "jails" / spec.uuid;
  spec.root = raw_root;
  spec.props = sdk::PropertyMap(core::builtin_defaults(sdk::HostOs::Linux));
  struct StopInProcess {
    plugins::linux_ns::LinuxNsRuntime& rt;
    plugins::cgroup::CgroupLimits& lim;
    const sdk::JailSpec& spec;
    ~StopInProcess() {
      try {
        for (const auto& st : rt.running()) rt.destroy(spec, st);
        lim.remove(spec);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "linuxns_lifecycle: cleaning up: %s\n", e.what());
      }
    }
  } stop_inproc{runtime, limits, spec};
  auto inproc_cycle = [&](double& s, double& x, double& t) {
    sdk::JailSpec js = spec;
    auto t0 = Clock::now();
    limits.prepare(js);
    shared.prepare(js);
    auto st = runtime.create(js);
    shared.attach(js, st);
    limits.apply(js, st);
    s = ms_since(t0);
    auto t1 = Clock::now();
    sdk::ExecRequest req;
    req.argv = {"true"};
    if (!runtime.exec(js, st, req).ok()) die("in-process exec failed");
    x = ms_since(t1);
    auto t2 = Clock::now();
    shared.detach(js, st);
    runtime.destroy(js, st);
    shared.cleanup(js);
    limits.remove(js);
    t = ms_since(t2);
  };

  double a, b, c;
  iocell_cycle(a, b, c);  // warm caches: binary, plugins, busybox
  raw_cycle(a, b, c);
  inproc_cycle(a, b, c);
  std::vector<double> is, ix, it, rs, rx, rt, ps, px, pt;
  for (int i = 0; i < runs; ++i) {
    iocell_cycle(a, b, c);
    is.push_back(a), ix.push_back(b), it.push_back(c);
    raw_cycle(a, b, c);
    rs.push_back(a), rx.push_back(b), rt.push_back(c);
    inproc_cycle(a, b, c);
    ps.push_back(a), px.push_back(b), pt.push_back(c);
  }
  auto total = [](const std::vector<double>& s, const std::vector<double>& x, const std::vector<double>& t) {
    std::vector<double> out;
    for (size_t i = 0; i < s.size(); ++i) out.push_back(s[i] + x[i] + t[i]);
    return median(out);
  };
  const double iocell_total = total(is, ix, it), raw_total = total(rs, rx, rt), inproc_total = total(ps, px, pt);
  std::printf("start:  iocell %6.1f ms, raw %6.1f ms, plugins in-process %6.1f ms\n", median(is), median(rs), median(ps));
  std::printf("exec:   iocell %6.1f ms, raw %6.1f ms, plugins in-process %6.1f ms\n", median(ix), median(rx), median(px));
  std::printf("stop:   iocell %6.1f ms, raw %6.1f ms, plugins in-process %6.1f ms\n", median(it), median(rt), median(pt));
  std::printf("lifecycle: iocell %.1f ms, raw %.1f ms, ratio %.2f (target <= 2); plugins in-process %.1f ms, ratio %.2f (median of %d)\n",
              iocell_total, raw_total, iocell_total / raw_total, inproc_total, inproc_total / raw_total, runs);
  return iocell_total / raw_total <= 2.0 ? 0 : 2;
}
