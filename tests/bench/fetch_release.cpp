// Benchmark (not a test): `iocell fetch` of a ~50 MB .txz release from a
// loopback server against the sequential curl -o + sha256sum + bsdtar -xf of
// the same file, side by side in one run. Target: ratio <= 0.8.
//
// The release (busybox plus generated files, about 20k members and 50 MB of
// xz) is built once and cached under the build directory.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <iocell/core/release/sha256.hpp>

#include "support/fetch_http_server.hpp"
#include "support/fetch_release_builder.hpp"

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Runs argv with stdout to `out_file` (or /dev/null); returns the exit code.
int run(const std::vector<std::string>& argv, const std::string& out_file = "/dev/null") {
  std::vector<char*> a;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  if (posix_spawnp(&pid, a[0], &fa, nullptr, a.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return 127;
  }
  posix_spawn_file_actions_destroy(&fa);
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

void must(const std::vector<std::string>& argv, const std::string& out_file = "/dev/null") {
  if (run(argv, out_file) != 0) {
    std::cerr << "failed: " << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << "\n";
    std::exit(1);
  }
}

// Words of a made-up language: text that xz compresses about as well as a
// FreeBSD base (3 to 4 times).
std::string make_text(std::mt19937_64& rng, std::size_t size, const std::vector<std::string>& words) {
  std::string s;
  s.reserve(size + 16);
  while (s.size() < size) {
    s += words[rng() % words.size()];
    s += (rng() % 12 == 0) ? '\n' : ' ';
  }
  s.resize(size);
  return s;
}

fs::path build_release(const fs::path& cache) {
  const fs::path dir = cache / "www/14.3-RELEASE";
  if (fs::exists(dir / "MANIFEST")) return dir;
  std::cout << "building the benchmark release under " << cache << " (once; about a minute)\n" << std::flush;
  const fs::path tree = cache / "tree";
  fs::remove_all(tree);
  iocell::testing::make_busybox_rootfs(tree);
  std::mt19937_64 rng(42);
  std::vector<std::string> words;
  for (int i = 0; i < 6000; ++i) {
    std::string w;
    int len = 2 + static_cast<int>(rng() % 9);
    for (int j = 0; j < len; ++j) w += static_cast<char>('a' + rng() % 26);
    words.push_back(w);
  }
  std::uint64_t total = 0;
  for (int i = 0; total < 165ull * 1000 * 1000; ++i) {
    fs::path d = tree / "usr/share/gen" / std::to_string(i / 200);
    if (i % 200 == 0) fs::create_directories(d);
    std::size_t size = 1000 + rng() % 24000;
    std::string data = make_text(rng, size, words);
    if (i % 10 == 0) {
      // a "binary": a third of it incompressible
      for (std::size_t k = 0; k < size / 3; ++k) data[k] = static_cast<char>(rng());
    }
    std::ofstream(d / ("f" + std::to_string(i))) << data;
    total += size;
  }
  fs::create_directories(dir);
  must({"bsdtar", "-C", tree.string(), "-cf", (cache / "base.tar").string(), "."});
  must({"xz", "-T2", "-3", "-f", (cache / "base.tar").string()});
  fs::rename(cache / "base.tar.xz", dir / "base.txz");
  fs::remove_all(tree);
  std::ofstream(dir / "MANIFEST") << iocell::testing::manifest_line(
      "base.txz", iocell::core::Sha256::of_file(dir / "base.txz"), 20000);
  return dir;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double time_iocell(const fs::path& work, const std::string& url) {
  fs::remove_all(work);
  auto t = Clock::now();
  must({IOCELL_BINARY, "--root", (work / "root").string(), "fetch", "release=14.3-RELEASE", "ftphost=" + url,
        "ftpdir=/14.3-RELEASE/", "ftpfiles=base.txz", "-q"});
  must({"sync"});
  double s = seconds_since(t);
  if (!fs::is_regular_file(work / "root/releases/14.3-RELEASE/root/bin/busybox")) {
    std::cerr << "iocell fetch did not install the release\n";
    std::exit(1);
  }
  fs::remove_all(work);
  return s;
}

double time_sequential(const fs::path& work, const std::string& url) {
  fs::remove_all(work);
  fs::create_directories(work / "x");
  auto t = Clock::now();
  must({"curl", "-sf", "-o", (work / "base.txz").string(), url + "/14.3-RELEASE/base.txz"});
  must({"sha256sum", (work / "base.txz").string()});
  must({"bsdtar", "-C", (work / "x").string(), "-xf", (work / "base.txz").string()});
  must({"sync"});
  double s = seconds_since(t);
  fs::remove_all(work);
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const fs::path cache = fs::path(IOCELL_BINARY_DIR) / "bench-cache/fetch_release";
  const fs::path dir = build_release(cache);
  std::cout << "release: " << fs::file_size(dir / "base.txz") / 1e6 << " MB of xz\n";
  iocell::testing::FetchHttpServer server(dir.parent_path());
  const fs::path work = fs::temp_directory_path() / ("iocell-bench-fetch-" + std::to_string(::getpid()));
  std::vector<double> ours, theirs;
  for (int i = 0; i < runs; ++i) {
    // Alternate which goes first so that neither always gets the warmer cache.
    if (i % 2 == 0) {
      ours.push_back(time_iocell(work, server.url()));
      theirs.push_back(time_sequential(work, server.url()));
    } else {
      theirs.push_back(time_sequential(work, server.url()));
      ours.push_back(time_iocell(work, server.url()));
    }
    std::printf("run %d: iocell %.2f s, sequential %.2f s\n", i + 1, ours.back(), theirs.back());
  }
  double a = median(ours), b = median(theirs);
  std::printf("fetch: iocell %.2f s, sequential %.2f s, ratio %.2f (target <= 0.8)\n", a, b, a / b);
  return 0;
}
