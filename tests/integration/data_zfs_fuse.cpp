// The zfs storage for real, on Linux: a zfs-fuse daemon and a pool on a
// file of this test's own (tests/support/zfs_fuse.hpp), the real binary with
// --storage zfs and the Linux runtime on top. Pool activation, fetch into
// ZFS, thick, clone and base jails, snapshots, rollback, clone of a
// snapshot, promote, destroy refused while a clone depends, and a
// replication stream. What zfs-fuse lacks and OpenZFS has is listed in
// docs/storage-backends.md; the transcripts keep the FreeBSD argv.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fetch_release_builder.hpp"
#include "support/run_iocell.hpp"
#include "support/zfs_fuse.hpp"

namespace fs = std::filesystem;
namespace st = iocell::test::storage;
using iocell::test::trim;

namespace {

constexpr const char* kPool = "ioctest";

class DataZfsFuse : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::ZfsFusePool::unavailable(); !why.empty()) GTEST_SKIP() << why;
    zfs = std::make_unique<st::ZfsFusePool>(kPool, 512);
    root = zfs->dir() / "iocell";
    mirror = zfs->dir() / "mirror/14.3-RELEASE";
    iocell::testing::make_test_release(mirror);
  }
  void TearDown() override {
    if (zfs && fs::exists(root / "jails")) run({"stop", "ALL"});
    zfs.reset();  // the pool, the daemon and the file go even after a failed assertion
  }

  iocell::test::CliResult run(std::vector<std::string> args) {
    return iocell::test::run_iocell(root, std::move(args), {{"IOCELL_STORAGE", "zfs"}});
  }
  iocell::test::CliResult ok(std::vector<std::string> args) { return iocell::test::expect_success(args, run(args)); }
  void activate_and_fetch() {
    ok({"activate", kPool});
    ok({"fetch", "release=14.3-RELEASE", "ftplocaldir=" + mirror.string(), "ftpfiles=base.txz"});
  }
  std::string uuid_of(const std::string& tag) { return iocell::test::uuid_in_list(ok({"list", "-H"}).out, tag); }
  fs::path jail_root(const std::string& uuid) { return root / "jails" / uuid / "root"; }
  std::string ds(const std::string& rel) { return std::string(kPool) + "/iocell/" + rel; }

  std::unique_ptr<st::ZfsFusePool> zfs;
  fs::path root, mirror;
};

TEST_F(DataZfsFuse, ActivationMarksThePoolAndFetchLandsInADataset) {
  activate_and_fetch();
  EXPECT_EQ(nlohmann::json::parse(st::read(root / "iocell.json"))["storage"], "zfs");
  EXPECT_EQ(zfs->get("org.iocell:active", std::string(kPool) + "/iocell"), "yes");
  EXPECT_EQ(zfs->get("mountpoint", std::string(kPool) + "/iocell"), root.string());
  EXPECT_EQ(zfs->get("type", ds("releases/14.3-RELEASE/root")), "filesystem");
  EXPECT_EQ(zfs->get("mounted", ds("releases/14.3-RELEASE/root")), "yes");
  EXPECT_TRUE(fs::exists(root / "releases/14.3-RELEASE/root/bin/busybox"));
  auto active = ok({"activate"});
  EXPECT_NE(active.out.find(kPool), std::string::npos) << active.out;
}

TEST_F(DataZfsFuse, ThickCloneAndBaseJailsRunOnTheLinuxRuntime) {
  activate_and_fetch();
  ok({"create", "tag=thick"});
  ok({"create", "-c", "tag=thin"});
  ok({"create", "-b", "tag=based"});
  const std::string thick = uuid_of("thick"), thin = uuid_of("thin"), based = uuid_of("based");
  ASSERT_FALSE(thick.empty() || thin.empty() || based.empty());
  EXPECT_EQ(zfs->get("origin", ds("jails/" + thick + "/root")), "-") << "a thick jail is a copy";
  EXPECT_EQ(zfs->get("origin", ds("jails/" + thin + "/root")), ds("releases/14.3-RELEASE/root@" + thin));
  for (const auto& tag : {"thick", "thin", "based"}) {
    ok({"start", tag});
    EXPECT_EQ(ok({"exec", tag, "/bin/echo", "up"}).out, "up\n") << tag;
    ok({"stop", tag});
  }
}

TEST_F(DataZfsFuse, SnapshotsRollbackCloneAtSnapPromoteAndStreams) {
  activate_and_fetch();
  ok({"create", "-c", "tag=src"});
  const std::string src = uuid_of("src");
  st::write(jail_root(src) / "etc/app.conf", "v1\n");
  ok({"snapshot", "src@v1"});
  st::write(jail_root(src) / "etc/app.conf", "v2\n");
  ok({"snapshot", "src@v2"});
  EXPECT_EQ(zfs->get("type", ds("jails/" + src + "/root@v2")), "snapshot");

  ok({"clone", "src@v1", "tag=child"});
  const std::string child = uuid_of("child");
  EXPECT_EQ(st::read(jail_root(child) / "etc/app.conf"), "v1\n");
  EXPECT_EQ(zfs->get("origin", ds("jails/" + child + "/root")), ds("jails/" + src + "/root@v1"));

  ok({"rollback", "-f", "src@v1"});
  EXPECT_EQ(st::read(jail_root(src) / "etc/app.conf"), "v1\n");
  std::istringstream names(ok({"snaplist", "-H", "src"}).out);
  std::string first;
  std::getline(names, first);
  EXPECT_EQ(first.substr(0, first.find('\t')), "v1");
  EXPECT_EQ(names.peek(), EOF) << "v2 went with the rollback";

  auto refused = run({"destroy", "-f", "src"});
  EXPECT_EQ(refused.code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find(child), std::string::npos) << "names the dependent clone: " << refused.err;
  ok({"promote", "child"});
  // The chain is reversed: child takes src's place as the clone of the release.
  EXPECT_EQ(zfs->get("origin", ds("jails/" + child + "/root")), ds("releases/14.3-RELEASE/root@" + src));
  EXPECT_EQ(zfs->get("origin", ds("jails/" + src + "/root")), ds("jails/" + child + "/root@v1"));
  ok({"destroy", "-f", "src"});
  EXPECT_EQ(st::read(jail_root(child) / "etc/app.conf"), "v1\n");
  ok({"start", "child"});
  EXPECT_EQ(ok({"exec", "child", "/bin/cat", "/etc/app.conf"}).out, "v1\n");
  ok({"stop", "child"});

  ok({"export", "--zfs", "child"});
  fs::path stream;
  for (const auto& e : fs::directory_iterator(root / "images"))
    if (e.path().extension() == ".zfs") stream = e.path();
  ASSERT_FALSE(stream.empty()) << "export --zfs wrote no stream";
  // v1 came over with the promote; the export's own snapshot is removed.
  std::istringstream after(ok({"snaplist", "-H", "child"}).out);
  for (std::string line; std::getline(after, line);) EXPECT_EQ(line.substr(0, line.find('\t')), "v1") << line;
  ok({"destroy", "-f", "child"});
  auto im = run({"import", stream.filename().string()});
  if (im.code != 0) {
    // zfs-fuse has neither zstream(8) nor `zfs receive -x`: the stream is
    // refused before anything is received (docs/storage-backends.md).
    EXPECT_NE(im.err.find("zstream"), std::string::npos) << im.err;
    EXPECT_TRUE(run({"list", "-H"}).out.empty()) << "nothing half-imported: " << im.err;
    EXPECT_NE(zfs->zfs({"list", ds("jails/.new-" + child)}).exit_code, 0) << im.err;
    return;
  }
  EXPECT_EQ(uuid_of("child"), child);
  EXPECT_EQ(st::read(jail_root(child) / "etc/app.conf"), "v1\n");
}

}  // namespace
