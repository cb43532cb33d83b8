// Jail types provisioned on the dir backend without privileges, and the
// basejail's ZFS path (per-directory read-only clones re-cloned at start)
// checked through the Storage interface with a recording stand-in.
#include <gtest/gtest.h>

#include <algorithm>

#include "basejail.hpp"
#include "dir_storage.hpp"
#include "simple_types.hpp"
#include "support/storage_fixture.hpp"

#include <iocell/sdk/testing/scripted_runner.hpp>

namespace {

using iocell::plugins::dir::DirStorage;
namespace jt = iocell::plugins::jailtypes;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;
using iocell::sdk::ProvisionRequest;

/// The dir backend under the name "zfs", recording the calls that matter,
/// so that the basejail takes its per-directory clone path.
class ZfsLikeStorage : public DirStorage {
 public:
  using DirStorage::DirStorage;
  std::string name() const override { return "zfs"; }
  void destroy(const std::string& ds) override {
    calls.push_back("destroy " + ds);
    DirStorage::destroy(ds);
  }
  void snapshot(const std::string& ds, const std::string& snap, bool recursive) override {
    calls.push_back("snapshot " + ds + "@" + snap);
    DirStorage::snapshot(ds, snap, recursive);
  }
  void destroy_snapshot(const std::string& ds, const std::string& snap, bool recursive) override {
    calls.push_back("destroy " + ds + "@" + snap);
    DirStorage::destroy_snapshot(ds, snap, recursive);
  }
  void clone(const std::string& ds, const std::string& snap, const std::string& target,
             const iocell::sdk::DatasetOptions& opts) override {
    calls.push_back("clone " + ds + "@" + snap + " " + target + (opts.readonly ? " ro" : ""));
    DirStorage::clone(ds, snap, target, opts);
  }
  std::vector<std::string> calls;
};

template <class Store>
class TypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host = st::host_at(tmp.path() / "root");
    store = std::make_unique<Store>(host);
    store->set_overlay_clones(false);
    store->initialize();
    store->create("releases/R/root", {});
    st::make_release(store->mountpoint("releases/R/root"));
  }
  ProvisionRequest request(const std::string& uuid) {
    store->create("jails/.new-" + uuid, {});
    ProvisionRequest req;
    req.uuid = uuid;
    req.dataset = "jails/.new-" + uuid;
    req.release = "R";
    req.release_dataset = "releases/R/root";
    return req;
  }
  fs::path mp(const std::string& ds) { return store->mountpoint(ds); }

  st::ScratchDir tmp{"jailtypes"};
  iocell::sdk::HostContext host;
  std::unique_ptr<Store> store;
};

using DirTypesTest = TypesTest<DirStorage>;
using ZfsBaseTest = TypesTest<ZfsLikeStorage>;

TEST_F(DirTypesTest, ThickJailIsAnIndependentCopy) {
  jt::ThickJail thick(host);
  thick.provision(*store, request("t1"));
  const fs::path root = mp("jails/.new-t1/root");
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(store->origin("jails/.new-t1/root"), "");
  EXPECT_TRUE(store->snapshots("releases/R/root").empty());
  EXPECT_NE(st::lstat_of(root / "bin/echo").st_ino, st::lstat_of(mp("releases/R/root") / "bin/echo").st_ino);
}

TEST_F(DirTypesTest, CloneJailClonesASnapshotNamedAfterTheJail) {
  jt::CloneJail clone(host);
  clone.provision(*store, request("c1"));
  EXPECT_EQ(store->origin("jails/.new-c1/root"), "releases/R/root@c1");
  EXPECT_EQ(st::read(mp("jails/.new-c1/root") / "usr/share/misc/termcap"), "vt100|dec vt100\n");
  auto deps = store->dependents("releases/R/root");
  EXPECT_EQ(deps, std::vector<std::string>{"jails/.new-c1/root"});
}

TEST_F(DirTypesTest, CloneJailLeavesNoSnapshotWhenTheCloneFails) {
  jt::CloneJail clone(host);
  auto req = request("c2");
  fs::create_directories(mp(req.dataset) / "root");  // the clone target is in the way
  EXPECT_THROW(clone.provision(*store, req), std::runtime_error);
  EXPECT_TRUE(store->snapshots("releases/R/root").empty());
}

TEST_F(DirTypesTest, MissingReleaseIsNamed) {
  jt::ThickJail thick(host);
  auto req = request("m1");
  req.release = "13.0-RELEASE";
  req.release_dataset = "releases/13.0-RELEASE/root";
  try {
    thick.provision(*store, req);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("iocell fetch release=13.0-RELEASE"), std::string::npos) << e.what();
  }
}

TEST_F(DirTypesTest, EmptyJailHasAnEmptyRootAndNeedsNoRelease) {
  jt::EmptyJail empty(host);
  EXPECT_FALSE(empty.needs_release());
  auto req = request("e1");
  req.release.clear();
  req.release_dataset.clear();
  empty.provision(*store, req);
  EXPECT_TRUE(fs::is_directory(mp("jails/.new-e1/root")));
  EXPECT_TRUE(fs::is_empty(mp("jails/.new-e1/root")));
}

TEST_F(DirTypesTest, BaseJailOwnsItsEtcAndLeavesSystemDirsEmptyForMounts) {
  jt::BaseJail base(host);
  base.provision(*store, request("b1"));
  const fs::path root = mp("jails/.new-b1/root");
  EXPECT_EQ(st::read(root / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_EQ(st::read(root / "root/.profile"), "PATH=/bin:/usr/bin\n");
  EXPECT_EQ(st::lstat_of(root / "tmp").st_mode & 07777, 01777u);
  EXPECT_TRUE(fs::is_directory(root / "var/log"));
  for (const char* d : {"bin", "sbin", "lib", "libexec", "boot", "rescue", "usr/bin", "usr/lib", "usr/share", "usr/include"}) {
    EXPECT_TRUE(fs::is_directory(root / d)) << d;
    EXPECT_TRUE(fs::is_empty(root / d)) << d << " is shared, not copied";
  }
  EXPECT_FALSE(fs::exists(root / "usr/src")) << "only system directories the release has";
  EXPECT_EQ(jt::shared_dirs(mp("releases/R/root")).size(), 12u);
}

TEST_F(DirTypesTest, BaseJailOnFreeBsdWithoutZfsMountsNullfsReadOnly) {
  jt::BaseJail(host).provision(*store, request("f1"));
  iocell::sdk::testing::ScriptedRunner script;
  auto bsd = host;
  bsd.os = iocell::sdk::HostOs::FreeBSD;
  bsd.runner = &script;
  iocell::sdk::JailSpec spec;
  spec.uuid = "f1";
  spec.dataset = "jails/.new-f1";
  spec.home = mp(spec.dataset);
  spec.root = spec.home / "root";
  spec.props.set("release", "R");
  const fs::path rel = mp("releases/R/root");
  for (const auto& d : jt::shared_dirs(rel))
    script.expect({"mount", "-t", "nullfs", "-o", "ro", (rel / d).string(), (spec.root / d).string()});
  jt::BaseJail(bsd).before_start(*store, spec);
  EXPECT_TRUE(script.done()) << script.remaining();
  EXPECT_EQ(script.seen().size(), 12u);
}

TEST_F(ZfsBaseTest, BaseJailClonesEachSystemDirReadOnlyAndReclonesAtStart) {
  jt::BaseJail base(host);
  base.provision(*store, request("z1"));
  EXPECT_EQ(st::read(mp("base/R/root/bin") / "echo"), st::read(mp("releases/R/root") / "bin/echo"));
  const std::string root = "jails/.new-z1/root";
  EXPECT_EQ(store->origin(root + "/usr/bin"), "base/R/root/usr/bin@z1");
  EXPECT_EQ(store->get_property(root + "/bin", "readonly"), "on");
  EXPECT_EQ(st::read(mp(root) / "usr/bin/su"), "setuid\n");
  EXPECT_EQ(st::read(mp(root) / "etc/rc.conf"), "hostname=\"release\"\n");
  EXPECT_TRUE(store->exists(root + "/usr")) << "usr is the jail's own dataset, holding the clones";

  // A start after the base changed: the clone is destroyed and re-made.
  st::write(mp("base/R/root/bin") / "patched", "p\n");
  store->calls.clear();
  iocell::sdk::JailSpec spec;
  spec.uuid = "z1";
  spec.dataset = "jails/.new-z1";
  spec.home = mp(spec.dataset);
  spec.root = spec.home / "root";
  spec.props.set("release", "R");
  base.before_start(*store, spec);
  EXPECT_EQ(st::read(mp(root) / "bin/patched"), "p\n");
  ASSERT_GE(store->calls.size(), 4u);
  EXPECT_EQ(store->calls[0], "destroy " + root + "/bin");
  EXPECT_EQ(store->calls[1], "destroy base/R/root/bin@z1");
  EXPECT_EQ(store->calls[2], "snapshot base/R/root/bin@z1");
  EXPECT_EQ(store->calls[3], "clone base/R/root/bin@z1 " + root + "/bin ro");
  base.after_stop(*store, spec);
  EXPECT_TRUE(store->exists(root + "/bin"));
}

}  // namespace
