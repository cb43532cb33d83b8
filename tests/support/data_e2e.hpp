// The fixture of the data-lifecycle end-to-end tests (header-only): the real
// binary on a scratch root with `dir` storage and a busybox release fetched
// from a local directory (tests/support/fetch_release_builder.hpp).
#pragma once

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/fetch_release_builder.hpp"
#include "support/run_iocell.hpp"
#include "support/storage_fixture.hpp"

namespace iocell::test::data {

namespace fs = std::filesystem;

class DataE2E : public ::testing::Test {
 protected:
  static constexpr const char* kRelease = "14.3-RELEASE";

  void SetUp() override {
    // The binary's mounts (overlay clones, recordings, jails) happen in this
    // test process's own mount namespace and vanish with it.
    if (::geteuid() == 0) storage::enter_private_mount_namespace();
    root = scratch.path() / "iocell";
    mirror = scratch.path() / "mirror" / kRelease;
    iocell::testing::make_test_release(mirror);
  }

  void TearDown() override {
    // Jails left running by a failed test must not keep mounts alive, and
    // the scratch directory is removed only when nothing is mounted in it.
    if (fs::exists(root / "jails")) run({"stop", "ALL"});
    storage::unmount_below(scratch.path());
  }

  ::iocell::test::CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args), {{"IOCELL_STORAGE", "dir"}}); }

  /// run() that must succeed.
  ::iocell::test::CliResult ok(std::vector<std::string> args) { return ::iocell::test::expect_success(args, run(args)); }

  void fetch() { ok({"fetch", std::string("release=") + kRelease, "ftplocaldir=" + mirror.string(), "ftpfiles=base.txz"}); }

  /// The UUID of "Successfully created|imported: UUID (tag)".
  static std::string uuid_in(const std::string& out) {
    static const std::regex re("Successfully (created|imported): ([0-9a-f-]{36})");
    std::smatch m;
    if (!std::regex_search(out, m, re)) {
      ADD_FAILURE() << "no UUID in: " << out;
      return "";
    }
    return m[2];
  }

  /// `iocell get PROP JAIL` without its newline.
  std::string get(const std::string& prop, const std::string& jail) {
    std::string v = ok({"get", prop, jail}).out;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
  }

  std::string create(std::vector<std::string> args) {
    args.insert(args.begin(), "create");
    return uuid_in(ok(args).out);
  }

  fs::path jail_root(const std::string& uuid) const { return root / "jails" / uuid / "root"; }

  /// Writes a file in a stopped jail through `iocell chroot`, as an admin
  /// would: a stopped clone's root is not mounted on the host.
  void write_in(const std::string& target, const std::string& path, const std::string& content, const std::string& mode = "644") {
    ok({"chroot", target, "/bin/sh", "-c", "mkdir -p \"$(dirname \"$2\")\" && printf %s \"$1\" > \"$2\" && chmod \"$3\" \"$2\"",
        "sh", content, path, mode});
  }

  /// A file of a stopped jail, read through `iocell chroot`.
  std::string read_in(const std::string& target, const std::string& path) { return ok({"chroot", target, "/bin/cat", path}).out; }
  fs::path home(const std::string& uuid) const { return root / "jails" / uuid; }

  /// Lines of `list -H`.
  std::vector<std::string> jails() {
    std::vector<std::string> out;
    std::istringstream in(run({"list", "-H"}).out);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  /// Rows of `snaplist -H TARGET`, first column only.
  std::vector<std::string> snapshot_names(const std::string& target) {
    std::vector<std::string> out;
    std::istringstream in(ok({"snaplist", "-H", target}).out);
    for (std::string line; std::getline(in, line);) out.push_back(line.substr(0, line.find('\t')));
    return out;
  }

  storage::ScratchDir scratch{"data-e2e"};
  fs::path root, mirror;
};

}  // namespace iocell::test::data
