// iocell import of a package that `iocell package` made from a recording, on
// a transcript FreeBSD host with zfs storage: the jail is a clone of the
// package's release and the archive is unpacked into its root
// (tests/transcripts/snapshots/import_package.txt).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <iocell/core/ops/transfer.hpp>
#include <iocell/core/release/sha256.hpp>
#include <nlohmann/json.hpp>

#include "support/data_freebsd_host.hpp"
#include "support/fetch_release_builder.hpp"

using iocell::test::data::FreebsdHost;
namespace core = iocell::core;
namespace fs = std::filesystem;

namespace {
const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";  // the recorded jail
const std::string N = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";  // the imported one
}  // namespace

TEST(DataStreams, ImportOfARecordedPackageClonesTheReleaseAndUnpacksIntoIt) {
  FreebsdHost h("snapshots/import_package.txt", {{"U", U}, {"N", N}}, "1740823200", {N});
  // What `iocell package` leaves: <root>/packages/U.{tar.xz,sha256,json}.
  const fs::path tree = h.scratch.path() / "recorded";
  fs::create_directories(tree / "usr/local/etc");
  std::ofstream(tree / "usr/local/etc/nginx.conf") << "worker_processes 2;\n";
  const fs::path packages = h.root / "packages";
  fs::create_directories(packages);
  iocell::testing::write_archive_from_dir(packages / (U + ".tar.xz"), tree);
  std::ofstream(packages / (U + ".sha256")) << core::Sha256::of_file(packages / (U + ".tar.xz")) << "\n";
  std::ofstream(packages / (U + ".json"))
      << nlohmann::json{{"uuid", U}, {"tag", "www"}, {"release", "14.3-RELEASE"}, {"type", "thickjail"}, {"format", "package"}}.dump();
  // The release as fetched, and the new jail's root where the clone is
  // mounted: the transcript creates and renames nothing on disk.
  fs::create_directories(h.root / "releases/14.3-RELEASE/root/etc");
  for (const std::string& home : {".new-" + N, N}) fs::create_directories(h.root / "jails" / home / "root");
  auto out = core::import_archive(*h.ctx, U.substr(0, 8), {}, {});
  h.finish();
  EXPECT_TRUE(out.from_package);
  EXPECT_EQ(out.jail.uuid, N);
  EXPECT_TRUE(fs::exists(h.root / "jails" / N / "root/usr/local/etc/nginx.conf"));
}
