// The fixture of the fetch end-to-end tests (header-only): a temporary
// iocell root, a release directory built from busybox, a loopback server
// over it, and helpers to run `iocell fetch` and to look at what it left.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/fetch_http_server.hpp"
#include "support/fetch_release_builder.hpp"
#include "support/fetch_run.hpp"

namespace iocell::testing {

class FetchFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    m_tmp = std::make_unique<FetchTempDir>("fetch");
    root = m_tmp->path() / "root";
    www = m_tmp->path() / "www";
    release = make_test_release(www / "14.3-RELEASE");
    server = std::make_unique<FetchHttpServer>(www);
  }
  void TearDown() override { server.reset(); }

  /// Fast retries, so that fault tests do not wait for the real backoff.
  std::map<std::string, std::string> env() const { return {{"IOCELL_FETCH_BACKOFF_MS", "20"}, {"IOCELL_FETCH_RETRIES", "3"}}; }

  IocellResult fetch(const std::vector<std::string>& extra, const std::string& rel = "14.3-RELEASE") {
    std::vector<std::string> args{"--root", root.string(), "fetch", "release=" + rel};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_iocell(args, env());
  }
  IocellResult fetch_http(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"ftphost=" + server->url(), "ftpdir=/14.3-RELEASE/", "ftpfiles=base.txz"};
    args.insert(args.end(), extra.begin(), extra.end());
    return fetch(args);
  }

  std::filesystem::path release_root(const std::string& rel = "14.3-RELEASE") const {
    return root / "releases" / rel / "root";
  }
  /// Everything under releases/ whose name starts with '.' (staging leftovers).
  std::vector<std::string> staging_leftovers() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(root / "releases", ec))
      if (e.path().filename().string()[0] == '.') out.push_back(e.path().filename().string());
    return out;
  }
  IocellResult list_json() { return run_iocell({"--root", root.string(), "releases", "--json"}); }

  std::unique_ptr<FetchTempDir> m_tmp;
  std::filesystem::path root, www;
  TestRelease release;
  std::unique_ptr<FetchHttpServer> server;
};

}  // namespace iocell::testing
