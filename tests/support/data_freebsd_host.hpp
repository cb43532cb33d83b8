// A FreeBSD host for whole-operation transcripts of the data lifecycle: a
// core::Context on a FreeBSD host whose runner is a transcript,
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
#include <vector>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/properties.hpp>

#include "support/scripted_services.hpp"
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
  /// root, plus `vars`. The clock is stopped at `now`; new jails get `uuids` in order.
  FreebsdHost(const std::string& transcript, std::map<std::string, std::string> vars, const std::string& now = "1740823200",
              std::vector<std::string> uuids = {}) {
    root = scratch.path() / "iocell";
    fs::create_directories(root);
    vars["ROOT"] = root.string();
    next_mounts().clear();
    next_mounts()[root.string()] = "tank/iocell";
    for (const char* c : zfs::kStandardChildren) next_mounts()[(root / c).string()] = std::string("tank/iocell/") + c;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    core::GlobalOptions opts;
    opts.root = root;
    opts.storage = "zfs-transcript";
    auto services = transcript_services(std::string(IOCELL_TRANSCRIPT_DIR) + "/" + transcript, vars);
    services.os = sdk::HostOs::FreeBSD;
    services.clock = fixed_clock(std::atoll(now.c_str()));
    if (!uuids.empty()) services.uuid = uuids_in_order(uuids);
    ctx = std::make_unique<core::Context>(opts, out, err, std::move(services));
    ctx->plugins().add_storage("zfs-transcript", sdk::kAnyOs, &make_transcript_zfs);
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
