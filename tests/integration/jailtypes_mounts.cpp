// Every jail type provisioned from a tiny busybox release, on the dir
// backend and on a real btrfs: basejails get the release read-only at start
// and lose it at stop, and a symlink planted in a jail never redirects a
// mount. Runs as root in a private mount namespace.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "basejail.hpp"
#include "base_mounts.hpp"
#include "btrfs_storage.hpp"
#include "dir_storage.hpp"
#include "simple_types.hpp"
#include "support/storage_btrfs.hpp"

namespace {

namespace jt = iocell::plugins::jailtypes;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;
using iocell::sdk::JailSpec;
using iocell::sdk::ProvisionRequest;

/// errno of creating a file, 0 when it worked.
int try_write(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "w");
  if (!f) return errno;
  std::fclose(f);
  return 0;
}

class JailTypesOn : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mounts)";
    st::enter_private_mount_namespace();
    if (GetParam() == "btrfs") {
      if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
      loop = std::make_unique<st::LoopBtrfs>(512);
      base = loop->mount();
    } else {
      scratch = std::make_unique<st::ScratchDir>("jtmounts");
      base = scratch->path();
    }
    host = st::host_at(base / "iocell");
    host.runner = &runner;
    if (GetParam() == "btrfs") store = std::make_unique<iocell::plugins::btrfs::BtrfsStorage>(host);
    else store = std::make_unique<iocell::plugins::dir::DirStorage>(host);
    store->initialize();
    store->create("releases/R/root", {});
    st::make_release(store->mountpoint("releases/R/root"), true);
  }
  void TearDown() override {
    for (auto& spec : started) {
      try {
        jt::BaseJail(host).after_stop(*store, spec);
        store->unmount(spec.dataset);
      } catch (const std::exception&) {
      }
    }
    store.reset();
    loop.reset();
    scratch.reset();
  }

  ProvisionRequest request(const std::string& uuid) {
    store->create("jails/" + uuid, {});
    ProvisionRequest req;
    req.uuid = uuid;
    req.dataset = "jails/" + uuid;
    req.release = "R";
    req.release_dataset = "releases/R/root";
    return req;
  }
  JailSpec spec_of(const std::string& uuid) {
    JailSpec spec;
    spec.uuid = uuid;
    spec.name = "ioc-" + uuid;
    spec.dataset = "jails/" + uuid;
    spec.home = store->mountpoint(spec.dataset);
    spec.root = spec.home / "root";
    spec.props.set("release", "R");
    started.push_back(spec);
    return spec;
  }
  /// Runs busybox inside the jail root (chroot), proving the tree works.
  std::string run_inside(const fs::path& root) {
    return runner.check({"chroot", root.string(), "/bin/busybox", "cat", "/etc/rc.conf"}).out;
  }

  iocell::core::PosixRunner runner;
  std::unique_ptr<st::LoopBtrfs> loop;
  std::unique_ptr<st::ScratchDir> scratch;
  fs::path base;
  iocell::sdk::HostContext host;
  std::unique_ptr<iocell::sdk::Storage> store;
  std::vector<JailSpec> started;
};

TEST_P(JailTypesOn, ThickCloneAndEmptyJails) {
  jt::ThickJail(host).provision(*store, request("thick"));
  jt::CloneJail(host).provision(*store, request("clone"));
  jt::EmptyJail(host).provision(*store, request("empty"));
  EXPECT_EQ(run_inside(store->mountpoint("jails/thick/root")), "hostname=\"release\"\n");
  EXPECT_EQ(run_inside(store->mountpoint("jails/clone/root")), "hostname=\"release\"\n");
  // btrfs clones the release as it is, in one snapshot (no origin snapshot
  // left on the release); the others clone a snapshot named after the jail.
  const bool direct = GetParam() == "btrfs";
  EXPECT_EQ(store->origin("jails/clone/root"), direct ? "releases/R/root@" : "releases/R/root@clone");
  EXPECT_EQ(store->snapshots("releases/R/root").empty(), direct);
  EXPECT_EQ(store->dependents("releases/R/root"), std::vector<std::string>{"jails/clone/root"});
  EXPECT_TRUE(fs::is_empty(store->mountpoint("jails/empty/root")));

  // A clone keeps working across an unmount (a reboot, for overlays).
  store->unmount("jails/clone");
  auto spec = spec_of("clone");
  jt::CloneJail(host).before_start(*store, spec);
  EXPECT_EQ(run_inside(spec.root), "hostname=\"release\"\n");
  st::write(spec.root / "etc/rc.conf", "mine\n");
  EXPECT_EQ(st::read(store->mountpoint("releases/R/root") / "etc/rc.conf"), "hostname=\"release\"\n");
}

TEST_P(JailTypesOn, BaseJailSharesTheReleaseReadOnlyOnlyWhileStarted) {
  jt::BaseJail type(host);
  type.provision(*store, request("b1"));
  auto spec = spec_of("b1");
  EXPECT_TRUE(fs::is_empty(spec.root / "bin"));

  type.before_start(*store, spec);
  EXPECT_EQ(run_inside(spec.root), "hostname=\"release\"\n");
  EXPECT_TRUE(fs::exists(spec.root / "usr/share/misc/termcap"));
  EXPECT_EQ(try_write(spec.root / "bin/evil"), EROFS) << "the shared release must be read-only";
  EXPECT_EQ(try_write(spec.root / "usr/lib/evil"), EROFS);
  EXPECT_EQ(try_write(spec.root / "etc/mine"), 0) << "etc is the jail's own";
  EXPECT_FALSE(fs::exists(store->mountpoint("releases/R/root") / "etc/mine"));
  type.before_start(*store, spec);  // a second start replaces, never stacks
  EXPECT_EQ(try_write(spec.root / "bin/evil"), EROFS);

  type.after_stop(*store, spec);
  EXPECT_TRUE(fs::is_empty(spec.root / "bin"));
  EXPECT_TRUE(fs::is_empty(spec.root / "usr/share"));
  type.after_stop(*store, spec);  // nothing left to remove is fine
}

TEST_P(JailTypesOn, PlantedSymlinkNeverRedirectsAMount) {
  jt::BaseJail type(host);
  type.provision(*store, request("b2"));
  auto spec = spec_of("b2");
  st::ScratchDir victim{"victim"};
  fs::create_directories(victim.path() / "bin");
  // What a jail could leave behind: usr replaced by a link to a host path.
  fs::remove_all(spec.root / "usr");
  fs::create_directory_symlink(victim.path(), spec.root / "usr");
  EXPECT_THROW(type.before_start(*store, spec), std::runtime_error);
  EXPECT_FALSE(iocell::sdk::tree::is_mount_point(victim.path() / "bin"));
  EXPECT_FALSE(jt::BaseMounter(host).mounted(spec.root, "bin")) << "a failed start leaves nothing mounted";
}

INSTANTIATE_TEST_SUITE_P(Storage, JailTypesOn, ::testing::Values("dir", "btrfs"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
