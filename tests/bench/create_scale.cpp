// Benchmark: `iocell create -e` in a root that holds 10,000 jails (or
// argv[1]) against the same create in a root that holds 10, interleaved in
// one run. Target: at most 1.2x. Each created jail is destroyed again, so
// both roots keep their size; the jails are written straight to disk (as a
// root that grew over years would hold them), not made by the CLI.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <iocell/core/config_store.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/runners.hpp>

#include "support/temp_dir.hpp"

using namespace iocell;
using Clock = std::chrono::steady_clock;

namespace {

std::filesystem::path make_root(const std::filesystem::path& root, int jails) {
  for (const char* d : {"jails", "templates", "releases", "log", ".locks"}) std::filesystem::create_directories(root / d);
  core::write_file_atomic(root / "iocell.json", "{\"storage\": \"dir\"}\n");
  for (int i = 0; i < jails; ++i) {
    const auto home = root / "jails" / core::Inventory::new_uuid();
    std::filesystem::create_directories(home / "root");
    core::write_config(home / "config.json", {{"tag", "jail" + std::to_string(i)}, {"type", "emptyjail"}, {"release", "none"}},
                       core::Sync::ContentOnly);
  }
  return root;
}

void iocell(const std::filesystem::path& root, std::vector<std::string> args) {
  args.insert(args.begin(), {IOCELL_BINARY, "--root", root.string()});
  core::PosixRunner runner;
  auto res = runner.run(sdk::Command(args));
  if (!res.ok()) throw std::runtime_error(sdk::format_argv(args) + " failed: " + res.out + res.err);
}

double create_ms(const std::filesystem::path& root, int n) {
  const std::string tag = "bench" + std::to_string(n);
  const auto t0 = Clock::now();
  iocell(root, {"create", "-e", "tag=" + tag});
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  iocell(root, {"destroy", "-f", tag});
  return ms;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int many = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 21;
    test::TempDir dir("iocell-bench-create-scale");
    const auto small = make_root(dir.path() / "small", 10);
    const auto large = make_root(dir.path() / "large", many);
    // The first create of each root builds its tag index: not what is measured.
    create_ms(small, -1);
    create_ms(large, -1);
    std::vector<double> a, b;
    for (int i = 0; i < runs; ++i) {
      b.push_back(create_ms(large, i));
      a.push_back(create_ms(small, i));
    }
    const double s = median(a), l = median(b);
    std::printf("create -e with %d jails %.1f ms, with 10 jails %.1f ms, ratio %.2f (target <= 1.2; median of %d)\n", many, l, s,
                l / s, runs);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "create_scale: %s\n", e.what());
    return 1;
  }
}
