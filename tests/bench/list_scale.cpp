// Benchmark: `iocell list -H` over 10,000 jails (or argv[1]) against reading
// the same config files with one `cat` process, side by side in one run.
// Target: at most 3x. (The shell iocell forks about ten processes per jail.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include <iocell/core/config_store.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/runners.hpp>

#include "support/temp_dir.hpp"

using namespace iocell;
using clock_type = std::chrono::steady_clock;

namespace {

double median_ms(const std::vector<std::string>& argv, int runs) {
  core::PosixRunner runner;
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = clock_type::now();
    auto res = runner.run(sdk::Command(argv));
    auto t1 = clock_type::now();
    if (!res.ok()) {
      std::fprintf(stderr, "failed: %s\n%s", sdk::format_argv(argv).c_str(), res.err.c_str());
      std::exit(1);
    }
    t.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int jails = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 11;
  test::TempDir dir("iocell-bench-list");
  const auto root = dir.path() / "root";
  for (const char* d : {"jails", "templates", "releases", "log", ".locks"}) std::filesystem::create_directories(root / d);
  std::ofstream(root / "iocell.json") << "{\"storage\": \"dir\"}\n";
  std::vector<std::string> cat = {"cat"};
  for (int i = 0; i < jails; ++i) {
    const std::string uuid = core::Inventory::new_uuid();
    const auto home = root / "jails" / uuid;
    std::filesystem::create_directories(home / "root");
    core::write_config(home / "config.json", {{"tag", "jail" + std::to_string(i)}, {"type", "emptyjail"}, {"release", "none"},
                                              {"boot", "off"}, {"priority", "99"}, {"ip4_addr", "em0|10.0.0.1/24"}});
    cat.push_back((home / "config.json").string());
  }
  const std::vector<std::string> list = {IOCELL_BINARY, "--root", root.string(), "list", "-H"};
  // Warm both once, then interleave so that machine noise hits both alike.
  median_ms(list, 1);
  median_ms(cat, 1);
  std::vector<double> a, b;
  for (int i = 0; i < runs; ++i) {
    a.push_back(median_ms(list, 1));
    b.push_back(median_ms(cat, 1));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double ia = a[a.size() / 2], cb = b[b.size() / 2];
  std::printf("list of %d jails: iocell list -H %.1f ms, cat of the config files %.1f ms, ratio %.2f (target <= 3)\n", jails, ia,
              cb, ia / cb);
  return 0;
}
