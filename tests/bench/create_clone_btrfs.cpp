// Benchmark: `iocell create -c` on btrfs against the raw primitive it rests
// on, `btrfs subvolume snapshot` of the same release, side by side in one
// run on one loop-device filesystem (runs interleaved, medians compared).
// Also shows the in-process cost of the storage and jail-type calls alone.
// Needs root; run: build/bin/bench_create_clone_btrfs [rounds]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "btrfs_storage.hpp"
#include "simple_types.hpp"
#include "support/storage_btrfs.hpp"

namespace {

namespace st = iocell::test::storage;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

/// A release shaped like a small real one: the busybox tree plus 2,000
/// files (the snapshot cost must not depend on it; a copy's would). Like
/// FreeBSD's base.txz it has /etc/rc.d and /etc/defaults/rc.conf but no
/// /etc/rc.conf (bsdinstall writes that one), so create adds the hostname
/// line to an empty rc.conf as it does on a real release.
void build_release(const fs::path& root) {
  st::make_release(root, true);
  fs::remove(root / "etc/rc.conf");
  st::write(root / "etc/defaults/rc.conf", "hostname=\"\"\n");
  st::write(root / "etc/rc.d/hostname", "#!/bin/sh\n", 0555);
  std::string text(10 * 1024, 'x');
  for (int d = 0; d < 20; ++d)
    for (int f = 0; f < 100; ++f)
      st::write(root / "usr/share/filler" / ("d" + std::to_string(d)) / ("f" + std::to_string(f) + ".txt"), text);
}

}  // namespace

int main(int argc, char** argv) {
  if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) {
    std::cerr << "bench_create_clone_btrfs: " << why << "\n";
    return 1;
  }
  const int rounds = argc > 1 ? std::max(3, std::atoi(argv[1])) : 21;
  try {
    st::LoopBtrfs loop(1024);
    iocell::core::PosixRunner runner;
    auto host = st::host_at(loop.mount() / "iocell");
    host.runner = &runner;
    iocell::plugins::btrfs::BtrfsStorage store(host);
    store.initialize();
    store.create("releases/14.3-RELEASE/root", {});
    build_release(store.mountpoint("releases/14.3-RELEASE/root"));
    const fs::path release = store.mountpoint("releases/14.3-RELEASE/root");
    fs::create_directories(loop.mount() / "raw");
    ::sync();

    auto raw = [&](int i) {
      auto t0 = Clock::now();
      runner.check({"btrfs", "subvolume", "snapshot", release.string(), (loop.mount() / "raw" / ("s" + std::to_string(i))).string()});
      return ms_since(t0);
    };
    iocell::sdk::Command create{IOCELL_BINARY, "--root", host.root.string(), "create", "-c", "release=14.3-RELEASE"};
    create.env["IOCELL_PLUGIN_PATH"] = IOCELL_PLUGIN_DIR;
    auto cli = [&](int i) {
      auto cmd = create;
      cmd.argv.push_back("tag=bench" + std::to_string(i));
      auto t0 = Clock::now();
      auto res = runner.run(cmd);
      double t = ms_since(t0);
      if (!res.ok()) throw iocell::sdk::CommandFailed(cmd, res);
      return t;
    };
    iocell::plugins::jailtypes::CloneJail type(host);
    auto in_process = [&](int i) {
      const std::string uuid = "inproc-" + std::to_string(i);
      auto t0 = Clock::now();
      store.create("jails/.new-" + uuid, {});
      type.provision(store, {uuid, "jails/.new-" + uuid, "14.3-RELEASE", "releases/14.3-RELEASE/root", {}});
      store.rename("jails/.new-" + uuid, "jails/" + uuid);
      return ms_since(t0);
    };

    bool binary = true;
    try {
      cli(-1);
    } catch (const std::exception& e) {
      binary = false;
      std::cout << "note: the iocell binary cannot create -c here (" << e.what()
                << "); comparing the in-process storage and jail-type calls instead\n";
    }
    raw(-1);
    in_process(-1);

    std::vector<double> t_raw, t_cli, t_proc;
    for (int i = 0; i < rounds; ++i) {
      t_raw.push_back(raw(i));
      if (binary) t_cli.push_back(cli(i));
      t_proc.push_back(in_process(i));
    }
    const double r = median(t_raw), c = binary ? median(t_cli) : median(t_proc), p = median(t_proc);
    std::printf("create -c: iocell %.1f ms, btrfs snapshot %.1f ms, ratio %.2f (target <= 1.5)\n", c, r, c / r);
    std::printf("  (%s; in-process storage.create + clonejail.provision + rename: %.1f ms; %d rounds, medians)\n",
                binary ? "the real binary, fork+exec included" : "in process", p, rounds);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_create_clone_btrfs: " << e.what() << "\n";
    return 1;
  }
}
