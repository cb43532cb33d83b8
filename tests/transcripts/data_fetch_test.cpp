// iocell fetch on a FreeBSD host, the whole operation: the machine and
// architecture from uname, the datasets of the staging release, the sets
// verified and extracted from a mirror (a file:// one here), the patches
// applied by freebsd-update on the release root, then the rename into
// place. The storage and the FreeBSD tools are transcripts; the download
// and the extraction are real.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <iocell/core/release/fetch.hpp>
#include <iocell/core/release/sha256.hpp>

#include "support/data_freebsd_host.hpp"
#include "support/fetch_http_server.hpp"
#include "support/fetch_release_builder.hpp"

using iocell::test::data::FreebsdHost;
namespace core = iocell::core;
namespace fs = std::filesystem;

TEST(DataFetch, FreebsdReleaseFromAMirrorIsPatchedThenRenamedIntoPlace) {
  iocell::test::storage::ScratchDir d("data-fetch");
  const fs::path mirror = d.path() / "mirror";
  const fs::path sets = mirror / "pub/FreeBSD/releases/amd64/amd64/14.3-RELEASE";
  // A tiny base set with what freebsd-update needs to be chosen: its
  // configuration file in the release tree.
  const fs::path tree = d.path() / "tree";
  for (const char* dir : {"etc", "bin", "var/db"}) fs::create_directories(tree / dir);
  std::ofstream(tree / "etc/freebsd-update.conf") << "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\n";
  std::ofstream(tree / "bin/freebsd-version") << "#!/bin/sh\necho 14.3-RELEASE\n";
  fs::create_directories(sets);
  const auto members = iocell::testing::write_archive_from_dir(sets / "base.txz", tree);
  std::ofstream(sets / "MANIFEST") << iocell::testing::manifest_line("base.txz", core::Sha256::of_file(sets / "base.txz"), members);
  FreebsdHost h("fetch/freebsd_release.txt", {{"MIRROR", mirror.string()}, {"PID", std::to_string(::getpid())}});
  // What `zfs create` would mount: the transcript runs nothing.
  const fs::path staged = h.root / "releases" / (".staging-14.3-RELEASE-" + std::to_string(::getpid()));
  fs::create_directories(staged / "root");
  core::FetchRequest req;
  req.release = "14.3-RELEASE";
  req.ftphost = "file://" + mirror.string();
  auto res = core::fetch_release(*h.ctx, req);
  EXPECT_EQ(res.release, "14.3-RELEASE");
  h.finish();
  // The transcript renamed nothing on disk: the tree is where it was staged.
  EXPECT_TRUE(fs::exists(staged / "root/bin/freebsd-version"));
  EXPECT_TRUE(fs::is_directory(staged / "root/var/db/freebsd-update")) << "freebsd-update's work directory";
  const std::string facts = iocell::test::storage::read(staged / "release.json");
  EXPECT_NE(facts.find("\"patched\": true"), std::string::npos) << facts;
}

// FreeBSD 15 and later may ship no distribution sets: a mirror answering 404
// for MANIFEST turns the fetch into a release built from the FreeBSD-base
// packages. Here the host lacks the pkgbase signing key, so the fetch stops
// there, says so, and removes its staging datasets.
TEST(DataFetch, NoSetsOnTheMirrorFallsBackToPkgbase) {
  iocell::test::storage::ScratchDir d("data-fetch-pkgbase");
  fs::create_directories(d.path() / "www");
  iocell::testing::FetchHttpServer server(d.path() / "www");
  FreebsdHost h("fetch/freebsd_no_sets_pkgbase.txt", {{"PID", std::to_string(::getpid())}});
  std::ostringstream log;
  h.ctx->host().log = std::make_shared<spdlog::logger>("fetch", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  core::FetchRequest req;
  req.release = "15.0-RELEASE";
  req.ftphost = server.url();
  const std::string err = iocell::test::data::error_of([&] { core::fetch_release(*h.ctx, req); });
  EXPECT_NE(err.find("/usr/share/keys/pkgbase-15"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(h.root / "releases/15.0-RELEASE"));
  // The switch to another kind of release is a warning naming the missing
  // MANIFEST and the way out; the staging datasets go without one.
  const std::string warned = log.str();
  EXPECT_NE(warned.find("no distribution sets for 15.0-RELEASE"), std::string::npos) << warned;
  EXPECT_NE(warned.find(server.url() + "/pub/FreeBSD/releases/amd64/amd64/15.0-RELEASE/MANIFEST"), std::string::npos) << warned;
  EXPECT_NE(warned.find("ftpdir="), std::string::npos) << warned;
  EXPECT_EQ(std::count(warned.begin(), warned.end(), '\n'), 1) << warned;
  h.finish();
}
