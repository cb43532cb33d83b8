// A FreeBSD host for whole-operation transcripts of the data lifecycle: a
// core::Context with IOCELL_HOST_OS=freebsd whose runner is a transcript,
// on the zfs storage plugin with a fake kernel mount table (the pool is
// prepared: no process runs to find it). The jails' config.json files are
// real files under a scratch root, as the inventory reads them.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/properties.hpp>

#include "support/storage_fixture.hpp"
#include "support/zfs_transcript.hpp"

namespace iocell::test::data {

namespace fs = std::filesystem;

/// Mount table handed to the next zfs storage the Context makes.
inline std::map<std::string, std::string>& next_mounts() {
  static std::map<std::string, std::string> m;
  return m;
}

inline std::unique_ptr<sdk::Storage> make_transcript_zfs(const sdk::HostContext& host) {
  auto probe = std::make_unique<zfs::FakeProbe>();
  probe->mounts = next_mounts();
  return std::make_unique<plugins::zfs::ZfsStorage>(host, std::move(probe));
}

class FreebsdHost {
 public:
  /// `transcript` is relative to tests/transcripts; ${ROOT} is the iocell
  /// root, plus `vars`. The clock of snapshot names is pinned to `now`.
  FreebsdHost(const std::string& transcript, std::map<std::string, std::string> vars, const std::string& now = "1740823200") {
    root = scratch.path() / "iocell";
    fs::create_directories(root);
    vars["ROOT"] = root.string();
    std::string joined;
    for (const auto& [k, v] : vars) joined += (joined.empty() ? "" : ";") + k + "=" + v;
    next_mounts().clear();
    next_mounts()[root.string()] = "tank/iocell";
    for (const char* c : zfs::kStandardChildren) next_mounts()[(root / c).string()] = std::string("tank/iocell/") + c;
    ::setenv("IOCELL_HOST_OS", "freebsd", 1);
    ::setenv("IOCELL_TRANSCRIPT", (std::string(IOCELL_TRANSCRIPT_DIR) + "/" + transcript).c_str(), 1);
    ::setenv("IOCELL_TRANSCRIPT_VARS", joined.c_str(), 1);
    ::setenv("IOCELL_TEST_NOW", now.c_str(), 1);
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    core::GlobalOptions opts;
    opts.root = root;
    opts.storage = "zfs-transcript";
    ctx = std::make_unique<core::Context>(opts, out, err);
    ::unsetenv("IOCELL_TRANSCRIPT");
    ::unsetenv("IOCELL_TRANSCRIPT_VARS");
    ctx->plugins().add_storage("zfs-transcript", sdk::kAnyOs, &make_transcript_zfs);
  }
  ~FreebsdHost() {
    ::unsetenv("IOCELL_HOST_OS");
    ::unsetenv("IOCELL_TEST_NOW");
  }

  /// A jail's config.json (and an empty root) as create leaves them.
  core::JailRecord add_jail(const std::string& uuid, core::PropertyValues props) {
    const fs::path home = root / "jails" / uuid;
    fs::create_directories(home / "root");
    core::PropertyValues all = core::builtin_defaults(sdk::HostOs::FreeBSD);
    for (const auto& [k, v] : props) all[k] = v;
    core::write_config(home / "config.json", all);
    return ctx->inventory().resolve(uuid);
  }

  /// Every command of the transcript ran.
  void finish() { EXPECT_NO_THROW(ctx->finish()); }

  storage::ScratchDir scratch{"data-freebsd"};
  fs::path root;
  std::ostringstream out, err;
  std::unique_ptr<core::Context> ctx;
};

/// The message of what `f` throws ("" when nothing).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace iocell::test::data
