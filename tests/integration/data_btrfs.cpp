// The data lifecycle on btrfs (a loop device in a private mount namespace)
// with the real binary: snapshots of subvolumes, clone from a snapshot,
// rollback, promote (clones are independent from birth), and export/import
// through btrfs send/receive.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fetch_release_builder.hpp"
#include "support/run_iocell.hpp"
#include "support/storage_btrfs.hpp"

namespace fs = std::filesystem;
namespace st = iocell::test::storage;
using iocell::test::trim;

namespace {

class DataBtrfs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
    disk = std::make_unique<st::LoopBtrfs>(768);
    root = disk->mount() / "iocell";
    mirror = scratch.path() / "14.3-RELEASE";
    iocell::testing::make_test_release(mirror);
    ok({"fetch", "release=14.3-RELEASE", "ftplocaldir=" + mirror.string(), "ftpfiles=base.txz"});
  }
  void TearDown() override {
    if (disk) run({"stop", "ALL"});
  }

  iocell::test::CliResult run(std::vector<std::string> args) { return iocell::test::run_iocell(root, std::move(args)); }
  iocell::test::CliResult ok(std::vector<std::string> args) { return iocell::test::expect_success(args, run(args)); }
  std::string uuid_of(const std::string& tag) { return iocell::test::uuid_in_list(ok({"list", "-H"}).out, tag); }
  fs::path jail_root(const std::string& uuid) { return root / "jails" / uuid / "root"; }

  st::ScratchDir scratch{"data-btrfs"};
  std::unique_ptr<st::LoopBtrfs> disk;
  fs::path root, mirror;
};

TEST_F(DataBtrfs, DryRunCreateOfAThinJailReportsEveryStepAndMakesNothing) {
  auto r = ok({"--dry-run", "create", "-c", "tag=dry"});
  EXPECT_NE(r.out.find("would run: btrfs subvolume snapshot"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("would rename jails/.new-"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Successfully"), std::string::npos) << r.out;
  EXPECT_EQ(uuid_of("dry"), "");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root / "jails", ec)) ADD_FAILURE() << "left " << e.path();
}

TEST_F(DataBtrfs, SnapshotsClonesPromoteAndStreams) {
  EXPECT_EQ(nlohmann::json::parse(st::read(root / "iocell.json"))["storage"], "btrfs");
  ok({"create", "-c", "tag=src", "notes=on btrfs"});
  const std::string src = uuid_of("src");
  st::write(jail_root(src) / "etc/app.conf", "v1\n");
  ok({"snapshot", "src@v1"});
  st::write(jail_root(src) / "etc/app.conf", "v2\n");
  ok({"snapshot", "src@v2"});

  ok({"clone", "src@v1", "tag=child"});
  const std::string child = uuid_of("child");
  EXPECT_EQ(st::read(jail_root(child) / "etc/app.conf"), "v1\n") << "the snapshot's content, not the current one";

  ok({"rollback", "src@v1"});
  EXPECT_EQ(st::read(jail_root(src) / "etc/app.conf"), "v1\n");
  std::istringstream names(ok({"snaplist", "-H", "src"}).out);
  std::string first;
  std::getline(names, first);
  EXPECT_EQ(first.substr(0, first.find('\t')), "v1");
  EXPECT_EQ(names.peek(), EOF) << "v2 was discarded by the rollback";

  auto refused = run({"destroy", "-f", "src"});
  EXPECT_NE(refused.code, 0) << "the clone still counts as src's dependent";
  auto p = ok({"promote", "child"});
  EXPECT_NE(p.out.find("promoted"), std::string::npos) << p.out;
  ok({"destroy", "-f", "src"});
  EXPECT_EQ(st::read(jail_root(child) / "etc/app.conf"), "v1\n");
  ok({"start", "child"});
  EXPECT_EQ(ok({"exec", "child", "/bin/cat", "/etc/app.conf"}).out, "v1\n");
  ok({"stop", "child"});

}

TEST_F(DataBtrfs, StreamExportImport) {
  ok({"create", "-c", "tag=child", "notes=streamed"});
  const std::string child = uuid_of("child");
  st::write(jail_root(child) / "etc/app.conf", "v1\n");
  ok({"export", "--zfs", "child"});
  fs::path stream;
  for (const auto& e : fs::directory_iterator(root / "images"))
    if (e.path().extension() == ".btrfs") stream = e.path();
  ASSERT_FALSE(stream.empty());
  EXPECT_TRUE(fs::exists(stream.string() + ".sha256"));
  EXPECT_TRUE(fs::exists(stream.string() + ".json"));
  EXPECT_TRUE(run({"snaplist", "-H", "child"}).out.empty()) << "the export snapshot is removed";
  ok({"export", "child"});  // and a tar image beside the stream
  ok({"destroy", "-f", "child"});
  auto both = run({"import", child.substr(0, 8)});
  EXPECT_EQ(both.code, 2) << both.err;
  EXPECT_NE(both.err.find("import --zfs"), std::string::npos) << "says how to pick: " << both.err;
  EXPECT_NE(both.err.find("import --tar"), std::string::npos) << both.err;
  EXPECT_EQ(run({"import", "--tar", "--zfs", child.substr(0, 8)}).code, 2);
  EXPECT_TRUE(run({"list", "-H"}).out.empty()) << "nothing imported on a usage error";
  // The jail's root is a subvolume inside its home: the stream carries both.
  ok({"import", "--zfs", child.substr(0, 8)});
  EXPECT_EQ(uuid_of("child"), child);
  EXPECT_EQ(trim(ok({"get", "notes", "child"}).out), "streamed");
  EXPECT_EQ(st::read(jail_root(child) / "etc/app.conf"), "v1\n");
  EXPECT_TRUE(run({"snaplist", "-H", "child"}).out.empty()) << "the export snapshot does not come along";
  ok({"start", "child"});
  EXPECT_EQ(ok({"exec", "child", "/bin/cat", "/etc/app.conf"}).out, "v1\n");
  ok({"stop", "child"});
}

}  // namespace
