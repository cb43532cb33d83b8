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

TEST_F(ImportBtrfsStream, NestedSubvolumesTravelAndComeBackInPlace) {
  store->create("src", {});
  store->create("src/root", {});
  st::write(store->mountpoint("src") / "config.json", "{}\n");
  st::write(store->mountpoint("src/root") / "etc/app.conf", "inner\n");
  store->snapshot("src", "s1", true);
  const fs::path file = loop->mount() / "tree.stream";
  {
    iocell::sdk::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    store->send("src", "s1", fd.get());
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  const std::string tree = all.str();
  ASSERT_EQ(tree.rfind("iocell-btrfs-tree 1\n.\nroot\n\n", 0), 0u) << "a header naming both subvolumes";

  EXPECT_EQ(receive("copy", tree), "");
  EXPECT_EQ(st::read(store->mountpoint("jails/copy") / "config.json"), "{}\n");
  EXPECT_EQ(st::read(store->mountpoint("jails/copy/root") / "etc/app.conf"), "inner\n");
  EXPECT_TRUE(iocell::plugins::btrfs::is_subvolume(store->mountpoint("jails/copy/root")));
  EXPECT_EQ(store->snapshots("jails/copy/root").size(), 1u) << "the received snapshot is the root's own";

  // Without a recursive snapshot there is nothing whole to send.
  store->snapshot("src", "home-only", false);
  iocell::sdk::UniqueFd sink(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  EXPECT_THROW(store->send("src", "home-only", sink.get()), std::runtime_error);

  // A header is the sender's word: each place is checked before anything lands.
  const std::string body = tree.substr(std::string("iocell-btrfs-tree 1\n.\nroot\n\n").size());
  const std::pair<const char*, const char*> hostile[] = {
      {"iocell-btrfs-tree 1\n.\n../escape\n\n", "not a plain path"},
      {"iocell-btrfs-tree 1\n.\n/abs\n\n", "not a relative path"},
      {"iocell-btrfs-tree 1\n.\nroot\nroot\n\n", "twice"},
      {"iocell-btrfs-tree 1\nroot\n.\n\n", "does not start with the dataset itself"},
      {"iocell-btrfs-tree 1\n.\nroot/x\nroot\n\n", "which holds it"},
      {"iocell-btrfs-tree 1\n.\n", "does not end"},
      {"iocell-btrfs-tree 1\n.\nro;ot\n\n", "character"},
  };
  int n = 0;
  for (const auto& [header, want] : hostile) {
    const std::string name = "evil" + std::to_string(n++);
    const std::string why = receive(name, header + body);
    EXPECT_NE(why.find(want), std::string::npos) << header << " gave: " << why;
    EXPECT_FALSE(store->exists("jails/" + name));
  }
  // One subvolume fewer than the header names, or one more.
  const std::string one = tree.substr(0, tree.size() - (tree.size() - tree.find("btrfs-stream", tree.find("btrfs-stream") + 1)));
  EXPECT_NE(receive("short", one), "");
  EXPECT_FALSE(store->exists("jails/short"));
  EXPECT_NE(receive("long", tree + body.substr(0, body.find("btrfs-stream", 1))).find("goes on after"), std::string::npos);
  EXPECT_FALSE(store->exists("jails/long"));
  EXPECT_TRUE(fs::is_empty(outside));
}

}  // namespace
