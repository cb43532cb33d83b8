// iocell fetch from a loopback mirror, a file:// URL and a local directory.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/fetch_fixture.hpp"

namespace iocell::testing {
namespace {

namespace fs = std::filesystem;

void expect_busybox_tree(const fs::path& r) {
  EXPECT_TRUE(fs::is_regular_file(r / "bin/busybox"));
  EXPECT_TRUE(fs::is_symlink(r / "bin/sh"));
  EXPECT_EQ(fs::read_symlink(r / "bin/sh"), "busybox");
  struct stat st {};
  ASSERT_EQ(::stat((r / "bin/busybox").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat((r / "tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u) << "the sticky bit of /tmp must survive extraction";
  EXPECT_TRUE(fs::is_regular_file(r / "etc/rc"));
}

TEST_F(FetchFixture, OverHttpInstallsTheReleaseAndListsIt) {
  auto r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  expect_busybox_tree(release_root());
  EXPECT_NE(r.out.find("base.txz"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("skipping freebsd-update: not a FreeBSD host"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_regular_file(root / "download/14.3-RELEASE/base.txz")) << "the verified set is kept for re-fetches";
  EXPECT_TRUE(staging_leftovers().empty());

  auto l = list_json();
  ASSERT_EQ(l.status, 0) << l.err;
  auto j = nlohmann::json::parse(l.out);
  ASSERT_EQ(j["releases"].size(), 1u);
  EXPECT_EQ(j["releases"][0]["name"], "14.3-RELEASE");
  EXPECT_EQ(j["releases"][0]["path"], release_root().string());
  EXPECT_EQ(j["releases"][0]["files"], nlohmann::json::array({"base.txz"}));

  auto h = run_iocell({"--root", root.string(), "releases", "-H"});
  EXPECT_EQ(h.out.rfind("14.3-RELEASE\t", 0), 0u) << h.out;
}

TEST_F(FetchFixture, SecondFetchFindsTheReleasePresent) {
  ASSERT_EQ(fetch_http().status, 0);
  const auto sent = server->body_bytes_sent();
  auto r = fetch_http();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("already fetched"), std::string::npos) << r.out;
  EXPECT_EQ(server->body_bytes_sent(), sent) << "nothing is downloaded for a release already present";
}

TEST_F(FetchFixture, OverAFileUrl) {
  auto r = fetch({"ftphost=file://" + www.string(), "ftpdir=/14.3-RELEASE/", "ftpfiles=base.txz"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  expect_busybox_tree(release_root());
}

TEST_F(FetchFixture, FromALocalDirectory) {
  auto r = fetch({"ftplocaldir=" + (www / "14.3-RELEASE").string(), "ftpfiles=base.txz"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  expect_busybox_tree(release_root());
  EXPECT_FALSE(fs::exists(root / "download/14.3-RELEASE/base.txz")) << "a local set is not copied";
  EXPECT_EQ(server->body_bytes_sent(), 0u);
}

TEST_F(FetchFixture, SystemDefaultsChooseTheMirror) {
  // What `iocell set ftphost=... default` writes.
  fs::create_directories(root);
  std::ofstream(root / "defaults.json") << nlohmann::json{{"config_version", 1},
                                                          {"properties", {{"ftphost", server->url()}, {"ftpdir", "/14.3-RELEASE/"}, {"ftpfiles", "base.txz"}}}}
                                               .dump();
  auto r = fetch({});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  expect_busybox_tree(release_root());
}

TEST_F(FetchFixture, QuietPrintsNothing) {
  auto r = fetch_http({"-q"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(fs::is_regular_file(release_root() / "bin/busybox"));
}

TEST_F(FetchFixture, LinuxNeedsAReleaseName) {
  auto r = run_iocell({"--root", root.string(), "fetch", "ftphost=" + server->url()});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("release="), std::string::npos) << r.err;
}

TEST_F(FetchFixture, RejectsBadValues) {
  auto r = fetch({"ftphost=not a host"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not a host"), std::string::npos) << r.err;
  r = fetch_http({"ftpfiles=../base.txz"});
  EXPECT_EQ(r.status, 2);
  r = fetch({"ftphost=" + server->url()}, "fourteen");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'fourteen' is not a release name"), std::string::npos) << r.err;
  r = fetch_http({"colour=blue"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;
}

TEST_F(FetchFixture, UnknownSchemeSaysWhichFetchersExist) {
  auto r = fetch({"ftphost=gopher://127.0.0.1", "ftpdir=/x/"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("gopher"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace iocell::testing
