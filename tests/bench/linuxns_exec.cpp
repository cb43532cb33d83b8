// Benchmark: `iocell exec TARGET true` against `nsenter -t PID -a true` on
// the same running jail, interleaved in one run. Target: at most 1.3x.
// Also prints the runtime's exec called in-process (setns, one fork, exec,
// wait): the difference to the binary is the CLI's own start-up.
//
// Runs as root inside a network and mount namespace of its own.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <iocell/core/properties.hpp>
#include <iocell/core/runners.hpp>

#include "linux_ns_runtime.hpp"
#include "support/linux_env.hpp"
#include "support/temp_dir.hpp"

using namespace iocell;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Thrown, not exit(): the guard below must stop the jail a failed run started.
[[noreturn]] void die(const std::string& what) { throw std::runtime_error(what); }

double timed(core::PosixRunner& r, const std::vector<std::string>& argv) {
  auto t0 = Clock::now();
  auto res = r.run(sdk::Command(argv));
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!res.ok()) die(sdk::format_argv(argv) + " failed: " + res.out + res.err);
  return ms;
}

}  // namespace

int run(int runs);

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    return run(argc > 1 ? std::atoi(argv[1]) : 41);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linuxns_exec: %s\n", e.what());
    return 1;
  }
}

int run(int runs) {
  if (::geteuid() != 0) {
    std::printf("linuxns_exec: skipped (needs root)\n");
    return 0;
  }
  if (test::busybox_path().empty()) die("needs busybox-static");
  test::PrivateNet net;
  core::PosixRunner runner;
  test::TempDir dir("iocell-bench-exec");
  const auto root = dir.path() / "iocell";
  timed(runner, {IOCELL_BINARY, "--root", root.string(), "create", "-e", "tag=bench"});
  std::filesystem::path home;
  for (const auto& e : std::filesystem::directory_iterator(root / "jails"))
    if (e.is_directory() && e.path().filename().string()[0] != '.') home = e.path();
  if (home.empty()) die("create -e made no jail");
  test::build_busybox_root(home / "root");
  timed(runner, {IOCELL_BINARY, "--root", root.string(), "start", "bench"});
  struct Stop {
    core::PosixRunner& r;
    std::filesystem::path root;
    ~Stop() { r.run(sdk::Command{IOCELL_BINARY, "--root", root.string(), "stop", "bench"}); }
  } stop{runner, root};

  // The init's pid, as the runtime reports it.
  sdk::HostContext host;
  host.os = sdk::HostOs::Linux;
  host.root = root;
  host.runner = &runner;
  host.log = std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  plugins::linux_ns::LinuxNsRuntime runtime(host);
  auto running = runtime.running();
  if (running.size() != 1) die("expected one running jail");
  const sdk::RunState state = running.front();
  sdk::JailSpec spec;
  spec.uuid = home.filename().string();
  spec.name = state.name;
  spec.home = home;
  spec.root = home / "root";
  spec.props = sdk::PropertyMap(core::builtin_defaults(sdk::HostOs::Linux));
  sdk::ExecRequest req;
  req.argv = {"true"};

  const std::vector<std::string> iocell_exec = {IOCELL_BINARY, "--root", root.string(), "exec", "bench", "true"};
  const std::vector<std::string> nsenter = {"nsenter", "-t", std::to_string(state.jid), "-a", "true"};
  timed(runner, iocell_exec);
  timed(runner, nsenter);
  std::vector<double> a, b, c;
  for (int i = 0; i < runs; ++i) {
    a.push_back(timed(runner, iocell_exec));
    b.push_back(timed(runner, nsenter));
    auto t0 = Clock::now();
    if (!runtime.exec(spec, state, req).ok()) die("in-process exec failed");
    c.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double io = median(a), ns = median(b), in = median(c);
  std::printf("exec: iocell %.1f ms, nsenter %.1f ms, ratio %.2f (target <= 1.3); runtime.exec in-process %.1f ms, ratio %.2f (median of %d)\n",
              io, ns, io / ns, in, in / ns, runs);
  return io / ns <= 1.3 ? 0 : 2;
}
