// iocell send / receive for real between two roots on one btrfs loop
// device, the transport a local command: a whole jail, then increments
// with the snapshots between; a transfer cut midway that leaves the copy
// as it was and is finished by the next one; and a cutover.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/fetch_release_builder.hpp"
#include "support/run_iocell.hpp"
#include "support/storage_btrfs.hpp"

namespace fs = std::filesystem;
namespace st = iocell::test::storage;
using iocell::test::trim;

namespace {

class ReplicateBtrfs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
    disk = std::make_unique<st::LoopBtrfs>(1024);
    here = disk->mount() / "here";
    there = disk->mount() / "there";
    mirror = scratch.path() / "14.3-RELEASE";
    iocell::testing::make_test_release(mirror);
    for (const auto& root : {here, there})
      ok(root, {"fetch", "release=14.3-RELEASE", "ftplocaldir=" + mirror.string(), "ftpfiles=base.txz"});
  }
  void TearDown() override {
    if (!disk) return;
    run(here, {"stop", "ALL"});
    run(there, {"stop", "ALL"});
  }

  iocell::test::CliResult run(const fs::path& root, std::vector<std::string> args) { return iocell::test::run_iocell(root, std::move(args)); }
  iocell::test::CliResult ok(const fs::path& root, std::vector<std::string> args) {
    return iocell::test::expect_success(args, run(root, args));
  }
  std::string receiver() const { return std::string(IOCELL_BINARY) + " --root " + there.string() + " receive"; }
  iocell::test::CliResult send(const std::string& transport, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"send", "--to", transport};
    args.insert(args.end(), more.begin(), more.end());
    args.push_back("web");
    return run(here, args);
  }
  fs::path file(const fs::path& root, const std::string& rel) { return root / "jails" / uuid / "root" / rel; }
  std::vector<std::string> snapshots(const fs::path& root) {
    std::vector<std::string> names;
    std::istringstream lines(ok(root, {"snaplist", "-H", "web"}).out);
    for (std::string line; std::getline(lines, line);) names.push_back(line.substr(0, line.find('\t')));
    return names;
  }
  void make_web() {
    ok(here, {"create", "-c", "tag=web", "notes=replicated"});
    uuid = iocell::test::uuid_in_list(ok(here, {"list", "-H"}).out, "web");
    ASSERT_FALSE(uuid.empty());
    st::write(file(here, "etc/app.conf"), "v1\n");
  }
  void random_file(const fs::path& path, std::size_t mib) {
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 gen(static_cast<std::uint64_t>(mib) * 7919);
    std::vector<std::uint64_t> block(1 << 17);
    for (std::size_t i = 0; i < mib; ++i) {
      for (auto& w : block) w = gen();
      out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size() * sizeof block[0]));
    }
  }

  st::ScratchDir scratch{"replicate-btrfs"};
  std::unique_ptr<st::LoopBtrfs> disk;
  fs::path here, there, mirror;
  std::string uuid;
};

TEST_F(ReplicateBtrfs, WholeThenIncrementsWithTheSnapshotsBetween) {
  make_web();
  auto first = send(receiver());
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("root: whole"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("snapshots and config match"), std::string::npos) << first.out;
  EXPECT_EQ(iocell::test::uuid_in_list(ok(there, {"list", "-H"}).out, "web"), uuid) << "the same UUID and tag there";
  EXPECT_EQ(trim(ok(there, {"get", "notes", "web"}).out), "replicated");
  EXPECT_EQ(trim(ok(there, {"get", "boot", "web"}).out), "off") << "a copy never starts at boot beside its source";
  EXPECT_EQ(st::read(file(there, "etc/app.conf")), "v1\n");

  ok(here, {"snapshot", "web@before-upgrade"});
  st::write(file(here, "etc/app.conf"), "v2\n");
  random_file(file(here, "var/data.bin"), 8);
  auto second = send(receiver());
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_EQ(second.out.find("whole"), std::string::npos) << "only increments the second time: " << second.out;
  EXPECT_NE(second.out.find("-> @before-upgrade"), std::string::npos) << second.out;
  EXPECT_EQ(st::read(file(there, "etc/app.conf")), "v2\n");
  EXPECT_EQ(st::read(file(there, "var/data.bin")), st::read(file(here, "var/data.bin")));
  const auto theirs = snapshots(there);
  EXPECT_EQ(theirs, snapshots(here)) << "the admin's snapshot travels, and one replication snapshot stays on each side";
  ASSERT_EQ(theirs.size(), 2u);
  EXPECT_EQ(theirs.front(), "before-upgrade");
  EXPECT_EQ(theirs.back().rfind("ioc-repl_", 0), 0u) << theirs.back();

  ok(there, {"start", "web"});
  EXPECT_EQ(ok(there, {"exec", "web", "/bin/cat", "/etc/app.conf"}).out, "v2\n");
  ok(there, {"stop", "web"});
  ok(there, {"start", "web"});
  auto while_running = send(receiver());
  EXPECT_EQ(while_running.code, 1) << while_running.out;
  EXPECT_NE(while_running.err.find("is running here"), std::string::npos) << while_running.err;
}

TEST_F(ReplicateBtrfs, ACutTransferLeavesTheCopyAsItWasAndTheNextOneFinishesIt) {
  make_web();
  ASSERT_EQ(send(receiver()).code, 0);
  random_file(file(here, "var/big.bin"), 24);
  st::write(file(here, "etc/app.conf"), "v2\n");
  // The transport dies after about 4 MiB, inside the root's stream.
  const std::string cut = "sh -c 'dd bs=4096 count=1000 status=none | " + receiver() + "'";
  auto broken = send(cut);
  EXPECT_NE(broken.code, 0) << broken.out;
  EXPECT_NE(broken.err.find("cannot send"), std::string::npos) << broken.err;
  EXPECT_FALSE(fs::exists(file(there, "var/big.bin"))) << "nothing of the cut stream reached the copy";
  EXPECT_EQ(st::read(file(there, "etc/app.conf")), "v1\n");
  ok(there, {"start", "web"});
  EXPECT_EQ(ok(there, {"exec", "web", "/bin/cat", "/etc/app.conf"}).out, "v1\n") << "the copy still starts, whole";
  ok(there, {"stop", "web"});

  auto resumed = send(receiver());
  ASSERT_EQ(resumed.code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(resumed.out.find("whole"), std::string::npos) << "from the last complete snapshot, not from scratch: " << resumed.out;
  EXPECT_EQ(st::read(file(there, "var/big.bin")), st::read(file(here, "var/big.bin")));
  EXPECT_EQ(st::read(file(there, "etc/app.conf")), "v2\n");
  EXPECT_EQ(snapshots(there), snapshots(here));
  for (const auto& e : fs::directory_iterator(there / "jails"))
    EXPECT_EQ(e.path().filename().string().rfind(".", 0), std::string::npos) << "left " << e.path();
}

TEST_F(ReplicateBtrfs, CutoverStopsHereStartsThereAndTurnsBootOffHere) {
  make_web();
  ok(here, {"set", "boot=on", "web"});
  ASSERT_EQ(send(receiver()).code, 0);
  ok(here, {"start", "web"});
  st::write(file(here, "etc/app.conf"), "last words\n");
  auto cut = send(receiver(), {"--cutover"});
  ASSERT_EQ(cut.code, 0) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("cut over"), std::string::npos) << cut.out;
  EXPECT_EQ(trim(ok(here, {"get", "boot", "web"}).out), "off");
  EXPECT_EQ(trim(ok(there, {"get", "boot", "web"}).out), "on") << "the copy takes the source's boot";
  auto listed = ok(here, {"list", "-H"}).out;
  EXPECT_NE(listed.find("\tdown\t"), std::string::npos) << listed;
  EXPECT_EQ(ok(there, {"exec", "web", "/bin/cat", "/etc/app.conf"}).out, "last words\n");
}

}  // namespace
