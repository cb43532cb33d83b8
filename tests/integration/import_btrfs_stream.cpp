// Hostile btrfs send streams (made from real ones, tests/support/
// btrfs_stream_forge.hpp) received by the btrfs storage on a loop device in
// a private mount namespace: a path with ".." and a write through a
// symbolic link the stream made itself must not create anything outside
// the receiving directory, on the same filesystem, and leave no dataset.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "btrfs_storage.hpp"
#include "btrfs_stream.hpp"
#include "support/btrfs_stream_forge.hpp"
#include "support/storage_btrfs.hpp"
#include <iocell/sdk/safe_root.hpp>

namespace {

using iocell::plugins::btrfs::BtrfsStorage;
namespace st = iocell::test::storage;
namespace fs = std::filesystem;

class ImportBtrfsStream : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = st::LoopBtrfs::unavailable(); !why.empty()) GTEST_SKIP() << why;
    loop = std::make_unique<st::LoopBtrfs>(384);
    host = st::host_at(loop->mount() / "iocell");
    host.runner = &runner;
    store = std::make_unique<BtrfsStorage>(host);
    store->initialize();
    outside = loop->mount() / "outside";
    fs::create_directories(outside);
  }
  void TearDown() override {
    store.reset();
    loop.reset();
  }

  /// The real send stream of `ds`@s1.
  std::string sent(const std::string& ds) {
    store->snapshot(ds, "s1", false);
    const fs::path file = loop->mount() / (ds + ".stream");
    {
      iocell::sdk::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      store->send(ds, "s1", fd.get());
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    return all.str();
  }

  /// What receive says of `stream` into jails/<name>; "" when it took it.
  std::string receive(const std::string& name, const std::string& stream) {
    const fs::path file = loop->mount() / (name + ".in");
    std::ofstream(file, std::ios::binary) << stream;
    iocell::sdk::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    try {
      store->receive("jails/" + name, fd.get());
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }

  iocell::core::PosixRunner runner;
  std::unique_ptr<st::LoopBtrfs> loop;
  iocell::sdk::HostContext host;
  std::unique_ptr<BtrfsStorage> store;
  fs::path outside;
};

TEST_F(ImportBtrfsStream, DotDotPathsAreRefusedBeforeAnythingLands) {
  store->create("src", {});
  st::write(store->mountpoint("src") / "ESCAPE-MARKER-FILE", "pwned\n");
  const std::string honest = sent("src");
  std::string up;
  for (int i = 0; i < 24; ++i) up += "../";
  const std::string hostile = st::forge_btrfs_paths(honest, "ESCAPE-MARKER-FILE", up + (outside / "escaped").relative_path().string());
  ASSERT_NE(hostile, honest) << "the forge found the file's name";

  const std::string why = receive("evil", hostile);
  EXPECT_NE(why.find("leaves the received subvolume"), std::string::npos) << why;
  EXPECT_FALSE(fs::exists(outside / "escaped"));
  EXPECT_FALSE(store->exists("jails/evil"));
  EXPECT_TRUE(fs::is_empty(outside));

  // The check takes what btrfs send makes.
  EXPECT_EQ(receive("good", honest), "");
  EXPECT_EQ(st::read(store->mountpoint("jails/good") / "ESCAPE-MARKER-FILE"), "pwned\n");
}

TEST_F(ImportBtrfsStream, WritesThroughTheStreamsOwnSymlinkStayConfined) {
  store->create("src", {});
  // Inode order is send order: the link comes before the file renamed through it.
  fs::create_symlink(outside, store->mountpoint("src") / "lnk");
  st::write(store->mountpoint("src") / "lnkXpwned", "pwned\n");
  const std::string hostile = st::forge_btrfs_paths(sent("src"), "lnkXpwned", "lnk/pwned");

  const std::string why = receive("evil", hostile);
  EXPECT_NE(why, "") << "a write through the link was taken";
  EXPECT_FALSE(fs::exists(outside / "pwned"));
  EXPECT_TRUE(fs::is_empty(outside));
  EXPECT_FALSE(store->exists("jails/evil"));
}

TEST_F(ImportBtrfsStream, IncrementalAndDamagedStreamsAreRefused) {
  store->create("src", {});
  st::write(store->mountpoint("src") / "f", "x\n");
  std::string stream = sent("src");
  stream[stream.size() / 2] ^= 0x55;
  EXPECT_NE(receive("bad", stream).find("fails its checksum"), std::string::npos);
  const std::string junk = receive("junk", "not a stream");
  EXPECT_NE(junk.find("not a btrfs send stream"), std::string::npos) << junk;
  EXPECT_FALSE(store->exists("jails/bad"));
  EXPECT_FALSE(store->exists("jails/junk"));
}

}  // namespace
