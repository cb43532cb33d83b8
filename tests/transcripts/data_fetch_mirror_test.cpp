// iocell fetch's URLs, the whole operation: download.freebsd.org keeps the
// installer's tree at its top, a bare mirror host is an ftp mirror in the
// installer's layout (ftp://HOST/pub/FreeBSD/, as bsdinstall's mirrorselect
// names the mirrors), and which branches live under releases/ or snapshots/.
// The real http plugin fetches through a loopback proxy (http_proxy,
// ftp_proxy) that serves <site>/HOST/PATH and records every URL; the
// FreeBSD tools are transcripts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include <iocell/core/release/fetch.hpp>
#include <iocell/core/release/sha256.hpp>

#include "support/data_freebsd_host.hpp"
#include "support/fetch_http_server.hpp"
#include "support/fetch_release_builder.hpp"

using iocell::test::data::FreebsdHost;
namespace core = iocell::core;
namespace fs = std::filesystem;

namespace {

// One environment variable set for the life of the object, then restored.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (m_old) ::setenv(m_name, m_old->c_str(), 1);
    else ::unsetenv(m_name);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

// Sets with what freebsd-update needs to be chosen (its configuration in the
// tree), written to `dir` with their MANIFEST.
void publish_sets(const fs::path& scratch, const fs::path& dir, const std::vector<std::string>& sets) {
  fs::create_directories(dir);
  std::string manifest;
  for (const auto& set : sets) {
    const fs::path tree = scratch / ("tree-" + set);
    if (set == "base.txz") {
      for (const char* d : {"etc", "bin", "var/db"}) fs::create_directories(tree / d);
      std::ofstream(tree / "etc/freebsd-update.conf") << "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\n";
      std::ofstream(tree / "bin/freebsd-version") << "#!/bin/sh\necho 14.3-RELEASE\n";
    } else if (set == "lib32.txz") {
      fs::create_directories(tree / "usr/lib32");
      std::ofstream(tree / "usr/lib32/libc.so.7") << "lib32\n";
    } else {
      fs::create_directories(tree / "usr/src");
      std::ofstream(tree / "usr/src/Makefile") << "# src\n";
    }
    const auto members = iocell::testing::write_archive_from_dir(dir / set, tree);
    manifest += iocell::testing::manifest_line(set, core::Sha256::of_file(dir / set), members);
  }
  std::ofstream(dir / "MANIFEST") << manifest;
}

class FetchMirror : public ::testing::Test {
 protected:
  void host(const std::string& transcript) {
    h = std::make_unique<FreebsdHost>(transcript, std::map<std::string, std::string>{{"PID", std::to_string(::getpid())}});
  }
  fs::path staged(const std::string& release) const {
    const fs::path p = h->root / "releases" / (".staging-" + release + "-" + std::to_string(::getpid()));
    fs::create_directories(p / "root");  // what `zfs create` would mount
    return p;
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& r : proxy.requests()) out.push_back(r.path);
    return out;
  }

  iocell::test::storage::ScratchDir d{"data-fetch-mirror"};
  iocell::testing::FetchHttpServer proxy{d.path() / "site"};
  ScopedEnv http{"http_proxy", proxy.url().c_str()}, ftp{"ftp_proxy", proxy.url().c_str()};
  ScopedEnv no{"no_proxy", nullptr}, no_upper{"NO_PROXY", nullptr};
  std::unique_ptr<FreebsdHost> h;
};

// Over http rather than the default https, so that the proxy can answer:
// the host decides the layout, the scheme does not.
TEST_F(FetchMirror, DownloadFreebsdOrgServesAllSetsFromItsOwnLayout) {
  publish_sets(d.path(), d.path() / "site/download.freebsd.org/releases/amd64/amd64/14.3-RELEASE",
               {"base.txz", "lib32.txz", "src.txz"});
  host("fetch/default_download.txt");
  const fs::path st = staged("14.3-RELEASE");
  core::FetchRequest req;
  req.release = "14.3-RELEASE";
  req.ftphost = "http://download.freebsd.org";
  core::fetch_release(*h->ctx, req);
  h->finish();
  const std::string dir = "http://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/";
  EXPECT_EQ(urls(), (std::vector<std::string>{dir + "MANIFEST", dir + "base.txz", dir + "lib32.txz", dir + "src.txz"}));
  EXPECT_TRUE(fs::exists(st / "root/usr/lib32/libc.so.7"));
  EXPECT_TRUE(fs::exists(st / "root/usr/src/Makefile"));
  EXPECT_EQ(h->err.str(), "") << "no fallback, no warning";
}

TEST_F(FetchMirror, BareMirrorHostIsAnFtpMirrorAndAnRcIsAPatchedRelease) {
  publish_sets(d.path(), d.path() / "site/ftp.de.freebsd.org/pub/FreeBSD/releases/amd64/amd64/15.0-RC2", {"base.txz"});
  host("fetch/mirror_rc.txt");
  const fs::path st = staged("15.0-RC2");
  core::FetchRequest req;
  req.release = "15.0-RC2";
  req.ftphost = "ftp.de.freebsd.org";
  req.ftpfiles = "base.txz";
  core::fetch_release(*h->ctx, req);
  h->finish();
  const std::string dir = "ftp://ftp.de.freebsd.org/pub/FreeBSD/releases/amd64/amd64/15.0-RC2/";
  EXPECT_EQ(urls(), (std::vector<std::string>{dir + "MANIFEST", dir + "base.txz"}));
  EXPECT_NE(iocell::test::storage::read(st / "release.json").find("\"patched\": true"), std::string::npos);
}

// Only the URL is asked for here: each call reads the machine with uname.
TEST_F(FetchMirror, UrlsFollowTheHostsLayoutAndTheSchemeGiven) {
  host("fetch/source_urls.txt");
  auto url = [&](const std::string& ftphost, const std::string& release) {
    core::FetchRequest req;
    req.ftphost = ftphost;
    return core::release_source_url(*h->ctx, req, release);
  };
  EXPECT_EQ(url("", "15.0-BETA1"), "https://download.freebsd.org/releases/amd64/amd64/15.0-BETA1/");
  EXPECT_EQ(url("", "15.0-ALPHA1"), "https://download.freebsd.org/snapshots/amd64/amd64/15.0-ALPHA1/");
  EXPECT_EQ(url("", "15.0-CURRENT"), "https://download.freebsd.org/snapshots/amd64/amd64/15.0-CURRENT/");
  EXPECT_EQ(url("https://Download.FreeBSD.org/", "14.3-RELEASE"), "https://Download.FreeBSD.org/releases/amd64/amd64/14.3-RELEASE/");
  EXPECT_EQ(url("ftp.freebsd.org", "14.3-STABLE"), "ftp://ftp.freebsd.org/pub/FreeBSD/snapshots/amd64/amd64/14.3-STABLE/");
  EXPECT_EQ(url("http://ftp2.de.freebsd.org", "14.3-RELEASE"), "http://ftp2.de.freebsd.org/pub/FreeBSD/releases/amd64/amd64/14.3-RELEASE/");
  EXPECT_EQ(url("ftp://mirror.example.org:2121/freebsd", "14.3-RELEASE"),
            "ftp://mirror.example.org:2121/freebsd/pub/FreeBSD/releases/amd64/amd64/14.3-RELEASE/");
  h->finish();
}

}  // namespace
