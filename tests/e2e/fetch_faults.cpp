// iocell fetch when things go wrong: corrupt sets, a bad MANIFEST, missing
// files, downloads cut in the middle, servers that ignore ranges, hostile
// archives. After every failure nothing is listed and nothing half-made
// stays under releases/.
#include <nlohmann/json.hpp>

#include "support/fetch_fixture.hpp"

namespace iocell::testing {
namespace {

namespace fs = std::filesystem;

void flip_byte(const fs::path& file, std::uint64_t at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

class FetchFaults : public FetchFixture {
 protected:
  void expect_nothing_installed() {
    EXPECT_FALSE(fs::exists(root / "releases/14.3-RELEASE"));
    EXPECT_TRUE(staging_leftovers().empty());
    auto l = list_json();
    ASSERT_EQ(l.status, 0) << l.err;
    EXPECT_TRUE(nlohmann::json::parse(l.out)["releases"].empty()) << l.out;
  }
  fs::path set_file() const { return www / "14.3-RELEASE/base.txz"; }
};

TEST_F(FetchFaults, CorruptSetIsRefusedByItsChecksum) {
  flip_byte(set_file(), release.base_size / 2);
  auto r = fetch_http();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("base.txz does not match its SHA-256 in the MANIFEST"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(release.base_sha256), std::string::npos) << "the message names the expected digest";
  expect_nothing_installed();
  EXPECT_FALSE(fs::exists(root / "download/14.3-RELEASE/base.txz"));
  EXPECT_FALSE(fs::exists(root / "download/14.3-RELEASE/base.txz.part")) << "a corrupt download is not resumed";
}

TEST_F(FetchFaults, ManifestWithAnotherDigestIsRefused) {
  std::ofstream(www / "14.3-RELEASE/MANIFEST") << manifest_line("base.txz", std::string(64, 'a'), 10);
  auto r = fetch_http();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("does not match its SHA-256"), std::string::npos) << r.err;
  expect_nothing_installed();
}

TEST_F(FetchFaults, MalformedManifestNamesTheLine) {
  std::ofstream(www / "14.3-RELEASE/MANIFEST") << "base.txz " << release.base_sha256 << " 10 base\n";
  auto r = fetch_http();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("malformed MANIFEST"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 1"), std::string::npos) << r.err;
  expect_nothing_installed();
}

TEST_F(FetchFaults, SetMissingFromManifestIsNamed) {
  auto r = fetch_http({"ftpfiles=base.txz src.txz"});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("src.txz is not in the MANIFEST"), std::string::npos) << r.err;
  expect_nothing_installed();
}

TEST_F(FetchFaults, MissingFileFailsAtOnceWithTheStatus) {
  fs::remove(set_file());
  auto r = fetch_http();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(server->url() + "/14.3-RELEASE/base.txz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HTTP status 404"), std::string::npos) << r.err;
  int gets = 0;
  for (const auto& q : server->requests()) gets += q.path == "/14.3-RELEASE/base.txz";
  EXPECT_EQ(gets, 1) << "a 404 is not retried";
  expect_nothing_installed();
}

TEST_F(FetchFaults, MissingManifestFails) {
  fs::remove(www / "14.3-RELEASE/MANIFEST");
  auto r = fetch_http();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("MANIFEST"), std::string::npos) << r.err;
  expect_nothing_installed();
}

// ftpdir=/ names a directory with no MANIFEST: the message says which
// directory was searched and what ftpdir should name, and the failed fetch
// leaves no empty download directory behind.
TEST_F(FetchFaults, AWrongFtpdirSaysWhereItLookedAndLeavesNothing) {
  auto r = fetch({"ftphost=" + server->url(), "ftpdir=/", "ftpfiles=base.txz"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("HTTP status 404"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("looked for in that one directory, " + server->url() + "/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/pub/FreeBSD/releases/"), std::string::npos) << r.err;
  expect_nothing_installed();
  EXPECT_FALSE(fs::exists(root / "download/14.3-RELEASE"));
}

// An empty download/<release> (a fetch killed before its first byte) is a
// leftover clean removes; one holding a partial set is kept for resuming.
TEST_F(FetchFaults, CleanRemovesEmptyDownloadDirectoriesOnly) {
  ASSERT_EQ(fetch_http({"ftpfiles=none.txz"}).status, 3);
  fs::create_directories(root / "download/13.9-RELEASE");
  fs::create_directories(root / "download/13.8-RELEASE");
  std::ofstream(root / "download/13.8-RELEASE/base.txz.part") << "partial";
  auto c = run_iocell({"--root", root.string(), "clean"});
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_NE(c.out.find("download/13.9-RELEASE"), std::string::npos) << c.out;
  EXPECT_FALSE(fs::exists(root / "download/13.9-RELEASE"));
  EXPECT_TRUE(fs::exists(root / "download/13.8-RELEASE/base.txz.part"));
}

TEST_F(FetchFaults, TransientErrorsAreRetried) {
  server->fail_next(2);  // MANIFEST gets two 503s
  auto r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
}

TEST_F(FetchFaults, CutDownloadResumesInTheSameRun) {
  const std::uint64_t cut = release.base_size / 3;
  server->cut("/14.3-RELEASE/base.txz", cut);
  auto r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
  bool resumed = false;
  for (const auto& q : server->requests()) resumed |= q.range_start == cut;
  EXPECT_TRUE(resumed) << "the retry asks for the bytes after the cut";
  EXPECT_EQ(server->body_bytes_sent("/14.3-RELEASE/base.txz"), release.base_size);
}

TEST_F(FetchFaults, CutDownloadResumesOnTheNextRunWithoutReDownloading) {
  const std::uint64_t cut = release.base_size / 2;
  server->cut("/14.3-RELEASE/base.txz", cut);
  server->go_down_after_cut();
  auto r = fetch_http();
  ASSERT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find("next fetch resumes"), std::string::npos) << r.err;
  expect_nothing_installed();
  ASSERT_EQ(fs::file_size(root / "download/14.3-RELEASE/base.txz.part"), cut);

  server = std::make_unique<FetchHttpServer>(www);  // the mirror is back
  r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
  EXPECT_EQ(server->body_bytes_sent("/14.3-RELEASE/base.txz"), release.base_size - cut)
      << "only the missing bytes are downloaded";
  auto reqs = server->requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs.back().range_start, cut);
}

TEST_F(FetchFaults, ServerIgnoringTheRangeRestartsFromZero) {
  const std::uint64_t cut = release.base_size / 2;
  server->cut("/14.3-RELEASE/base.txz", cut);
  server->go_down_after_cut();
  ASSERT_EQ(fetch_http().status, 1);

  server = std::make_unique<FetchHttpServer>(www);
  server->ignore_ranges();
  auto r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
  EXPECT_FALSE(fs::exists(root / "download/14.3-RELEASE/base.txz.part"));
  EXPECT_EQ(core::Sha256::of_file(root / "download/14.3-RELEASE/base.txz"), release.base_sha256);
}

TEST_F(FetchFaults, StaleResumedBytesAreDroppedAndFetchedAgain) {
  fs::create_directories(root / "download/14.3-RELEASE");
  std::ofstream(root / "download/14.3-RELEASE/base.txz.part") << std::string(1000, 'x');
  auto r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("does not match"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
}

TEST_F(FetchFaults, FailedFetchKeepsVerifiedSetsForTheNextRun) {
  write_archive(www / "14.3-RELEASE/lib32.txz", {{TarEntry::Dir, "usr/lib32", "", "", 0755}});
  release = make_test_release(www / "14.3-RELEASE", {"lib32.txz"});
  auto good = www / "lib32.good";
  fs::copy_file(www / "14.3-RELEASE/lib32.txz", good);
  flip_byte(www / "14.3-RELEASE/lib32.txz", 20);
  auto r = fetch_http({"ftpfiles=base.txz lib32.txz"});
  ASSERT_EQ(r.status, 1);
  expect_nothing_installed();

  fs::copy_file(good, www / "14.3-RELEASE/lib32.txz", fs::copy_options::overwrite_existing);
  const auto before = server->body_bytes_sent("/14.3-RELEASE/base.txz");
  r = fetch_http({"ftpfiles=base.txz lib32.txz"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(server->body_bytes_sent("/14.3-RELEASE/base.txz"), before) << "base.txz came from download/";
  EXPECT_TRUE(fs::is_directory(release_root() / "usr/lib32"));
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
}

TEST_F(FetchFaults, HostileArchiveIsRefusedNamingTheEntry) {
  const fs::path outside = m_tmp->path() / "escaped";
  write_archive(set_file(), {{TarEntry::Dir, "etc", "", "", 0755},
                             {TarEntry::File, "../../../../../../../.." + outside.string(), "pwned"}});
  std::ofstream(www / "14.3-RELEASE/MANIFEST") << manifest_line("base.txz", core::Sha256::of_file(set_file()), 2);
  auto r = fetch_http();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("refusing archive entry '../"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(outside));
  expect_nothing_installed();
}

TEST_F(FetchFaults, TwoFetchesAtOnceOneWaitsForTheOther) {
  server->throttle(std::chrono::milliseconds(60));
  std::vector<std::string> args{"--root", root.string(), "fetch", "release=14.3-RELEASE", "ftphost=" + server->url(),
                                "ftpdir=/14.3-RELEASE/", "ftpfiles=base.txz"};
  IocellProcess first(args, env());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  IocellProcess second(args, env());
  auto a = first.wait();
  auto b = second.wait();
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_NE(b.out.find("waiting for another fetch of 14.3-RELEASE"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("already fetched"), std::string::npos) << b.out;
  EXPECT_EQ(server->body_bytes_sent("/14.3-RELEASE/base.txz"), release.base_size) << "downloaded once";
  EXPECT_TRUE(staging_leftovers().empty());
}

}  // namespace
}  // namespace iocell::testing
