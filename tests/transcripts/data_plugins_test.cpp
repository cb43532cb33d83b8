// The data-lifecycle plugins against their argv transcripts: freebsd-update
// and pkgbase updaters, pkg -j, the unionfs recorder
// (tests/transcripts/{freebsd-update,pkg,unionfs}/).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <iocell/sdk/testing/scripted_runner.hpp>

#include "freebsd_update.hpp"
#include "linux_packages.hpp"
#include "pkg_packages.hpp"
#include "pkgbase_updater.hpp"
#include "support/storage_fixture.hpp"
#include "unionfs_recorder.hpp"

namespace fs = std::filesystem;
namespace sdk = iocell::sdk;
using iocell::test::storage::read;
using iocell::test::storage::ScratchDir;
using iocell::test::storage::write;

namespace {

const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";

// A jail laid out as the core hands it to plugins: <iocell>/jails/U/{root,config.json}.
struct Rig {
  explicit Rig(const std::string& transcript) {
    iocroot = dir.path() / "iocell";
    home = iocroot / "jails" / U;
    root = home / "root";
    fs::create_directories(root / "etc");
    vars = {{"ROOT", root.string()}, {"HOME", home.string()}, {"IOCROOT", iocroot.string()},
            {"REL", (iocroot / "releases/14.3-RELEASE/root").string()}};
    // "" runs nothing: any command fails the test.
    if (!transcript.empty())
      runner = sdk::testing::ScriptedRunner(sdk::testing::load_transcript(std::string(IOCELL_TRANSCRIPT_DIR) + "/" + transcript, vars));
    host.os = sdk::HostOs::FreeBSD;
    host.root = iocroot;
    host.runner = &runner;
    host.log = std::make_shared<spdlog::logger>("data", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
    spec.uuid = U;
    spec.name = "ioc-" + U;
    spec.tag = "www";
    spec.dataset = "jails/" + U;
    spec.home = home;
    spec.root = root;
    spec.props.set("release", "14.2-RELEASE");
  }
  void finish() {
    EXPECT_TRUE(runner.done()) << "expected but not run:\n" << runner.remaining();
    EXPECT_TRUE(runner.failures().empty()) << runner.failures().front();
  }

  ScratchDir dir{"data-plugins"};
  fs::path iocroot, home, root;
  std::map<std::string, std::string> vars;
  sdk::testing::ScriptedRunner runner;
  std::ostringstream log;
  sdk::HostContext host;
  sdk::JailSpec spec;
};

const char* kJailConf =
    "# $FreeBSD$\n"
    "KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\n"
    "ServerName update.FreeBSD.org\n"
    "Components src world kernel\n"
    "IgnorePaths\n"
    "UpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile\n"
    "MergeChanges /etc/ /boot/device.hints\n"
    "WorkDir /tmp/planted\n"
    "BackupKernelDir /usr/local/evil\n"
    "ServerName $(touch /tmp/x)\n";

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DataFreebsdUpdate, UpdatePatchesTheJailFromItsHomeWithAFilteredConf) {
  Rig r("freebsd-update/update_jail.txt");
  write(r.root / "etc/freebsd-update.conf", kJailConf);
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  EXPECT_TRUE(u.handles(r.root));
  u.update(r.spec);
  r.finish();
  ASSERT_EQ(r.runner.seen().size(), 1u);
  EXPECT_EQ(r.runner.seen()[0].env.at("PAGER"), "cat");
  EXPECT_FALSE(fs::exists(r.home / "freebsd-update.conf")) << "the temporary configuration is removed";
  struct stat st {};
  ASSERT_EQ(::stat((r.home / "freebsd-update").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(DataFreebsdUpdate, TheJailsConfigurationKeepsOnlyWhatChoosesUpdates) {
  using iocell::plugins::freebsd_update::FreebsdUpdate;
  const std::string update = FreebsdUpdate::filter_conf(kJailConf, false);
  EXPECT_NE(update.find("KeyPrint 800651ef"), std::string::npos);
  EXPECT_NE(update.find("Components src world kernel\n"), std::string::npos);
  EXPECT_NE(update.find("MergeChanges /etc/"), std::string::npos);
  EXPECT_EQ(update.find("WorkDir"), std::string::npos) << update;
  EXPECT_EQ(update.find("BackupKernelDir"), std::string::npos) << update;
  EXPECT_EQ(update.find("$(touch"), std::string::npos) << update;
  EXPECT_NE(update.find("ServerName update.FreeBSD.org"), std::string::npos);
  const std::string upgrade = FreebsdUpdate::filter_conf(kJailConf, true);
  EXPECT_EQ(upgrade.find("MergeChanges"), std::string::npos) << upgrade;
  EXPECT_EQ(upgrade.find("src world kernel"), std::string::npos) << upgrade;
  EXPECT_NE(upgrade.find("Components world\nStrictComponents yes\n"), std::string::npos) << upgrade;
}

TEST(DataFreebsdUpdate, FailureCarriesFreebsdUpdatesLastWords) {
  Rig r("freebsd-update/update_fails.txt");
  write(r.root / "etc/freebsd-update.conf", kJailConf);
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  const std::string err = error_of([&] { u.update(r.spec); });
  EXPECT_NE(err.find("exit 1"), std::string::npos) << err;
  EXPECT_NE(err.find("No mirrors remaining, giving up."), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(r.home / "freebsd-update.conf"));
  r.finish();
}

TEST(DataFreebsdUpdate, ASymlinkedConfigurationIsNeitherHandledNorRead) {
  Rig r("");
  fs::create_symlink("/etc/passwd", r.root / "etc/freebsd-update.conf");
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  EXPECT_FALSE(u.handles(r.root));
  const std::string err = error_of([&] { u.update(r.spec); });
  EXPECT_NE(err.find("freebsd-update.conf"), std::string::npos) << err;
  EXPECT_TRUE(r.runner.seen().empty());
}

TEST(DataFreebsdUpdate, ReleaseUpdateUsesTheReleasesOwnTree) {
  Rig r("freebsd-update/update_release.txt");
  const fs::path rel = r.iocroot / "releases/14.3-RELEASE/root";
  write(rel / "etc/freebsd-update.conf", kJailConf);
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  u.update_release(rel, "14.3-RELEASE");
  EXPECT_TRUE(fs::is_directory(rel / "var/db/freebsd-update"));
  r.finish();
}

TEST(DataFreebsdUpdate, UpgradeInstallsInRoundsUntilNothingIsLeft) {
  Rig r("freebsd-update/upgrade_jail.txt");
  write(r.root / "etc/freebsd-update.conf", kJailConf);
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  u.upgrade(r.spec, "14.3-RELEASE");
  r.finish();
  EXPECT_FALSE(fs::exists(r.home / "freebsd-update.conf"));
}

TEST(DataFreebsdUpdate, AFailedInstallRoundIsAnError) {
  Rig r("freebsd-update/upgrade_install_fails.txt");
  write(r.root / "etc/freebsd-update.conf", kJailConf);
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  const std::string err = error_of([&] { u.upgrade(r.spec, "14.3-RELEASE"); });
  EXPECT_NE(err.find("install (round 1) failed (exit 1)"), std::string::npos) << err;
  EXPECT_NE(err.find("No space left on device"), std::string::npos) << err;
  r.finish();
}

TEST(DataFreebsdUpdate, PkgbaseSystemsBelongToThePkgbaseUpdater) {
  Rig r("freebsd-update/pkgbase_probe.txt");
  write(r.root / "etc/freebsd-update.conf", kJailConf);
  write(r.root / "var/db/pkg/local.sqlite", "SQLite format 3");
  iocell::plugins::freebsd_update::FreebsdUpdate fu(r.host);
  iocell::plugins::pkg::PkgbaseUpdater pb(r.host);
  EXPECT_FALSE(fu.handles(r.root));
  EXPECT_TRUE(pb.handles(r.root));
  r.finish();
  // Without a package database nothing needs asking.
  Rig plain("");
  iocell::plugins::pkg::PkgbaseUpdater pb2(plain.host);
  EXPECT_FALSE(pb2.handles(plain.root));
  EXPECT_TRUE(plain.runner.seen().empty());
}

TEST(DataFreebsdUpdate, BasejailEtcIsMergedFromBothReleasesSources) {
  Rig r("freebsd-update/merge_etc.txt");
  write(r.iocroot / "releases/14.2-RELEASE/root/usr/src/Makefile", "all:\n");
  write(r.iocroot / "releases/14.3-RELEASE/root/usr/src/Makefile", "all:\n");
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  u.merge_etc(r.spec, "14.2-RELEASE", "14.3-RELEASE");
  r.finish();
  EXPECT_NE(r.log.str().find("/etc/master.passwd"), std::string::npos) << r.log.str();
  EXPECT_EQ(r.log.str().find("/etc/motd"), std::string::npos) << r.log.str();
}

TEST(DataFreebsdUpdate, MergeWithoutSourcesSaysWhatToFetch) {
  Rig r("");
  iocell::plugins::freebsd_update::FreebsdUpdate u(r.host);
  const std::string err = error_of([&] { u.merge_etc(r.spec, "14.2-RELEASE", "14.3-RELEASE"); });
  EXPECT_NE(err.find("src.txz"), std::string::npos) << err;
  EXPECT_TRUE(r.runner.seen().empty());
}

TEST(DataPkg, InstallAttachesToTheRunningJail) {
  Rig r("pkg/install_jexec.txt");
  iocell::plugins::pkg::PkgPackages p(r.host);
  sdk::RunState st{"ioc-" + U, 7, r.root.string(), ""};
  struct NoRuntime : sdk::Runtime {
    std::string name() const override { return "none"; }
    std::size_t hostname_max() const override { return 255; }
    sdk::RunState create(sdk::JailSpec&) override { throw std::logic_error("unused"); }
    void destroy(const sdk::JailSpec&, const sdk::RunState&) override {}
    std::vector<sdk::RunState> running() override { return {}; }
    sdk::CommandResult exec(const sdk::JailSpec&, const sdk::RunState&, const sdk::ExecRequest&) override {
      throw std::logic_error("pkg must not run inside through the runtime");
    }
    void kill_processes(const sdk::JailSpec&, const sdk::RunState&) override {}
    void set_live(const sdk::JailSpec&, const sdk::RunState&, const std::string&, const std::string&) override {}
    sdk::CommandResult chroot(const sdk::JailSpec&, const sdk::ExecRequest&) override { throw std::logic_error("no chroot"); }
  } rt;
  p.install(r.spec, st, {"nginx", "tmux"}, rt);
  r.finish();
  EXPECT_EQ(r.runner.seen()[0].env.at("ASSUME_ALWAYS_YES"), "yes");
  EXPECT_NE(error_of([&] { p.install(r.spec, st, {"-c/tmp"}, rt); }).find("not a package name"), std::string::npos);
}

TEST(DataPkg, FailedInstallNamesTheJail) {
  Rig r("pkg/install_fails.txt");
  iocell::plugins::pkg::PkgPackages p(r.host);
  sdk::RunState st{"ioc-" + U, 7, r.root.string(), ""};
  struct Unused : sdk::Runtime {
    std::string name() const override { return "none"; }
    std::size_t hostname_max() const override { return 255; }
    sdk::RunState create(sdk::JailSpec&) override { return {}; }
    void destroy(const sdk::JailSpec&, const sdk::RunState&) override {}
    std::vector<sdk::RunState> running() override { return {}; }
    sdk::CommandResult exec(const sdk::JailSpec&, const sdk::RunState&, const sdk::ExecRequest&) override { return {}; }
    void kill_processes(const sdk::JailSpec&, const sdk::RunState&) override {}
    void set_live(const sdk::JailSpec&, const sdk::RunState&, const std::string&, const std::string&) override {}
    sdk::CommandResult chroot(const sdk::JailSpec&, const sdk::ExecRequest&) override { return {}; }
  } rt;
  const std::string err = error_of([&] { p.install(r.spec, st, {"nosuchpkg"}, rt); });
  EXPECT_NE(err.find(U), std::string::npos) << err;
  EXPECT_NE(err.find("No packages available to install matching 'nosuchpkg'"), std::string::npos) << err;
  r.finish();
}

// The host's key directory for FreeBSD-base `major` (as /usr/share/keys has it).
fs::path host_keys(const Rig& r, int major) {
  const fs::path keys = r.dir.path() / "host-keys";
  write(keys / ("pkgbase-" + std::to_string(major)) / "trusted/pkgbase.freebsd.org.2024", "function: sha256\nfingerprint: \"host\"\n");
  return keys;
}

TEST(DataPkg, PkgbaseUpdateUsesIocellsOwnRepositoryConfiguration) {
  Rig r("pkg/pkgbase_update.txt");
  write(r.root / "var/db/pkg/local.sqlite", "SQLite format 3");
  // The jail's root user planted a key of their own in the tree.
  write(r.root / "usr/share/keys/pkgbase-15/trusted/planted", "function: sha256\nfingerprint: \"jail\"\n");
  r.spec.props.set("release", "15.0-RELEASE");
  iocell::plugins::pkg::PkgbaseUpdater pb(r.host, host_keys(r, 15));
  ASSERT_TRUE(pb.handles(r.root));
  pb.update(r.spec);
  r.finish();
  const std::string conf = read(r.home / "pkgbase-repos/FreeBSD-base.conf");
  EXPECT_NE(conf.find("pkg+https://pkg.FreeBSD.org/${ABI}/base_release_0"), std::string::npos) << conf;
  // pkg joins the path to --rootdir: ROOT/../pkgbase-keys is the jail's home.
  EXPECT_NE(conf.find("fingerprints: \"/../pkgbase-keys/pkgbase-15\""), std::string::npos) << conf;
  EXPECT_NE(conf.find("signature_type: \"fingerprints\""), std::string::npos) << conf;
  EXPECT_EQ(read(r.home / "pkgbase-keys/pkgbase-15/trusted/pkgbase.freebsd.org.2024"), "function: sha256\nfingerprint: \"host\"\n");
  EXPECT_FALSE(fs::exists(r.home / "pkgbase-keys/pkgbase-15/trusted/planted"));
}

TEST(DataPkg, PkgbaseUpgradeSwitchesRepositoryAndAbi) {
  Rig r("pkg/pkgbase_upgrade.txt");
  r.spec.props.set("release", "15.0-RELEASE");
  iocell::plugins::pkg::PkgbaseUpdater pb(r.host, host_keys(r, 15));
  pb.upgrade(r.spec, "15.1-RELEASE");
  r.finish();
  EXPECT_NE(read(r.home / "pkgbase-repos/FreeBSD-base.conf").find("base_release_1"), std::string::npos);
}

TEST(DataPkg, PkgbaseMajorUpgradeTrustsTheHostsKeyOfTheNewMajor) {
  Rig r("pkg/pkgbase_upgrade_major.txt");
  r.spec.props.set("release", "15.1-RELEASE");
  iocell::plugins::pkg::PkgbaseUpdater pb(r.host, host_keys(r, 16));
  pb.upgrade(r.spec, "16.0-RELEASE");
  r.finish();
  const std::string conf = read(r.home / "pkgbase-repos/FreeBSD-base.conf");
  EXPECT_NE(conf.find("fingerprints: \"/../pkgbase-keys/pkgbase-16\""), std::string::npos) << conf;
  EXPECT_TRUE(fs::exists(r.home / "pkgbase-keys/pkgbase-16/trusted/pkgbase.freebsd.org.2024"));
  EXPECT_FALSE(fs::exists(r.root / "usr/share/keys")) << "nothing is written into the tree";
}

TEST(DataPkg, PkgbaseUpdateWithoutTheHostsKeyRunsNothing) {
  Rig r("");
  r.spec.props.set("release", "16.0-RELEASE");
  iocell::plugins::pkg::PkgbaseUpdater pb(r.host, r.dir.path() / "no-keys");
  const std::string err = error_of([&] { pb.update(r.spec); });
  EXPECT_NE(err.find("pkgbase-16"), std::string::npos) << err;
  EXPECT_TRUE(r.runner.seen().empty());
  EXPECT_FALSE(fs::exists(r.home / "pkgbase-repos"));
}

TEST(DataUnionfs, RecordMountsTheUpperLayerFirst) {
  Rig r("unionfs/start.txt");
  iocell::plugins::unionfs::UnionfsRecorder u(r.host);
  u.start(r.spec, r.home / "recorded");
  EXPECT_TRUE(fs::is_directory(r.home / "recorded"));
  r.finish();
}

TEST(DataUnionfs, StopUnmountsOnlyTheJailsUnion) {
  Rig r("unionfs/stop.txt");
  iocell::plugins::unionfs::UnionfsRecorder u(r.host);
  u.stop(r.spec);
  r.finish();
}

TEST(DataUnionfs, StopFindsARootWithABlankInItsPath) {
  Rig r("unionfs/stop_blank_root.txt");
  r.spec.root = r.home / "my root";
  iocell::plugins::unionfs::UnionfsRecorder u(r.host);
  u.stop(r.spec);
  r.finish();
}

TEST(DataLinuxPkg, TheJailsOwnToolIsFoundWithoutFollowingItsSymlinks) {
  ScratchDir d("data-linuxpkg");
  fs::create_directories(d.path() / "usr/bin");
  EXPECT_FALSE(iocell::plugins::linux_pkg::detect_tool(d.path()).has_value());
  // A merged-/usr Debian: /sbin is a link the jail made; apt-get is found under usr/.
  fs::create_symlink("usr/sbin", d.path() / "sbin");
  write(d.path() / "usr/bin/apt-get", "#!/bin/sh\n", 0755);
  auto t = iocell::plugins::linux_pkg::detect_tool(d.path());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, "apt-get");
  EXPECT_EQ(t->steps.back(), (std::vector<std::string>{"/usr/bin/apt-get", "install", "-y", "--no-install-recommends"}));
  EXPECT_EQ(t->env.at("DEBIAN_FRONTEND"), "noninteractive");
  // apk planted behind a symlinked directory pointing at the host is not found there.
  fs::create_directories(d.path() / "outside/apk-dir");
  write(d.path() / "outside/apk-dir/apk", "x", 0755);
  fs::remove(d.path() / "sbin");
  fs::create_symlink(d.path() / "outside/apk-dir", d.path() / "sbin");
  EXPECT_EQ(iocell::plugins::linux_pkg::detect_tool(d.path())->name, "apt-get");
  // A real Alpine layout wins (apk comes first).
  fs::remove(d.path() / "sbin");
  write(d.path() / "sbin/apk", "x", 0755);
  EXPECT_EQ(iocell::plugins::linux_pkg::detect_tool(d.path())->name, "apk");
}
