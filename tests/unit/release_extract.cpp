// The secure extractor shared by fetch (releases) and import (packages):
// hostile entries are refused by name and nothing lands outside the tree.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include <fstream>
#include <sstream>

#include "libarchive_plugin.hpp"

#include "support/fetch_release_builder.hpp"
#include "support/fetch_run.hpp"

namespace iocell::core {
namespace {

namespace fs = std::filesystem;
using plugins::libarchive::extract_archive;
using sdk::ArchiveError;
using sdk::ByteSource;
using sdk::ExtractPolicy;
using sdk::ExtractStats;
using testing::Compression;
using testing::TarEntry;
using testing::write_archive;

class ReleaseExtract : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp = std::make_unique<testing::FetchTempDir>("extract");
    dest = tmp->path() / "tree";
    outside = tmp->path() / "outside";
    fs::create_directories(dest);
    fs::create_directories(outside);
    archive = tmp->path() / "a.txz";
  }
  std::string refusal(const std::vector<TarEntry>& entries, const ExtractPolicy& policy = ExtractPolicy::package()) {
    write_archive(archive, entries);
    try {
      extract_archive(archive, dest, policy);
    } catch (const ArchiveError& e) {
      return e.what();
    }
    return "";
  }
  bool outside_is_empty() const { return fs::is_empty(outside); }

  std::unique_ptr<testing::FetchTempDir> tmp;
  fs::path dest, outside, archive;
};

TEST_F(ReleaseExtract, KeepsOwnersModesLinksAndTimes) {
  write_archive(archive, {{TarEntry::Dir, "usr/bin", "", "", 0755},
                          {TarEntry::File, "usr/bin/su", "#!/bin/sh\n", "", 04555, 0, 0},
                          {TarEntry::File, "home/user/file", "data", "", 0600, 1234, 4321},
                          {TarEntry::Symlink, "usr/bin/alias", "", "su", 0777},
                          {TarEntry::Symlink, "etc/localtime", "", "/usr/share/zoneinfo/UTC", 0777},
                          {TarEntry::Hardlink, "usr/bin/su2", "", "usr/bin/su"},
                          {TarEntry::Dir, "tmp", "", "", 01777}});
  ExtractStats stats = extract_archive(archive, dest, ExtractPolicy::release());
  EXPECT_EQ(stats.entries, 7u);
  struct stat st {};
  ASSERT_EQ(::lstat((dest / "usr/bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04555u) << "setuid survives";
  EXPECT_EQ(st.st_mtime, 1700000000);
  ASSERT_EQ(::lstat((dest / "home/user/file").c_str(), &st), 0);
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 1234u) << "numeric owners, not the host's names";
    EXPECT_EQ(st.st_gid, 4321u);
  }
  EXPECT_EQ(fs::read_symlink(dest / "etc/localtime"), "/usr/share/zoneinfo/UTC") << "absolute symlinks are kept as links";
  EXPECT_TRUE(fs::equivalent(dest / "usr/bin/su", dest / "usr/bin/su2"));
  ASSERT_EQ(::lstat((dest / "tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
}

TEST_F(ReleaseExtract, RefusesDotDot) {
  auto msg = refusal({{TarEntry::File, "ok", "x"}, {TarEntry::File, "../outside/evil", "pwned"}});
  EXPECT_NE(msg.find("refusing archive entry '../outside/evil'"), std::string::npos) << msg;
  EXPECT_TRUE(outside_is_empty());
}

TEST_F(ReleaseExtract, RefusesAbsolutePaths) {
  auto msg = refusal({{TarEntry::File, (outside / "evil").string(), "pwned"}});
  EXPECT_NE(msg.find("refusing archive entry '" + (outside / "evil").string() + "'"), std::string::npos) << msg;
  EXPECT_TRUE(outside_is_empty());
}

TEST_F(ReleaseExtract, RefusesWritingThroughASymlinkOutOfTheTree) {
  auto msg = refusal({{TarEntry::Symlink, "escape", "", outside.string(), 0777},
                      {TarEntry::File, "escape/evil", "pwned"}});
  EXPECT_NE(msg.find("refusing archive entry 'escape/evil'"), std::string::npos) << msg;
  EXPECT_TRUE(outside_is_empty());

  fs::remove_all(dest);
  fs::create_directories(dest);
  msg = refusal({{TarEntry::Symlink, "up", "", "../outside", 0777}, {TarEntry::File, "up/evil", "pwned"}});
  EXPECT_NE(msg.find("'up/evil'"), std::string::npos) << msg;
  EXPECT_TRUE(outside_is_empty());
}

TEST_F(ReleaseExtract, RefusesHardLinksOutOfTheTree) {
  std::ofstream(outside / "secret") << "s";
  auto msg = refusal({{TarEntry::Hardlink, "grab", "", "../outside/secret"}});
  EXPECT_NE(msg.find("refusing archive entry 'grab'"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dest / "grab"));
}

// A device node in a release would be open, through the tree, to whoever
// can walk into it; base.txz has none to lose (devfs provides /dev).
TEST_F(ReleaseExtract, DeviceNodesAreRefusedInReleasesAndPackages) {
  std::vector<TarEntry> entries{{TarEntry::Dir, "dev", "", "", 0755}, {TarEntry::CharDevice, "dev/mem", "", "", 0640, 0, 0, 1, 1}};
  for (const auto& policy : {ExtractPolicy::package(), ExtractPolicy::release()}) {
    entries[1] = {TarEntry::CharDevice, "dev/mem", "", "", 0640, 0, 0, 1, 1};
    auto msg = refusal(entries, policy);
    EXPECT_NE(msg.find("refusing archive entry 'dev/mem': device nodes are not allowed"), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(dest / "dev/mem"));
    entries[1] = {TarEntry::BlockDevice, "dev/sda", "", "", 0640, 0, 0, 8, 0};
    EXPECT_NE(refusal(entries, policy).find("'dev/sda'"), std::string::npos);
    EXPECT_FALSE(fs::exists(dest / "dev/sda"));
  }
}

TEST_F(ReleaseExtract, TruncatedArchiveFails) {
  std::string big(200000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  write_archive(archive, {{TarEntry::File, "big", big}});
  fs::resize_file(archive, fs::file_size(archive) / 2);
  EXPECT_THROW(extract_archive(archive, dest, ExtractPolicy::release()), ArchiveError);
}

TEST_F(ReleaseExtract, StreamedInSmallPiecesGivesTheSameTree) {
  std::string big(300000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 11);
  write_archive(archive, {{TarEntry::Dir, "a", "", "", 0755}, {TarEntry::File, "a/big", big}, {TarEntry::File, "a/small", "s"}});
  std::ifstream in(archive, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  auto owned = plugins::libarchive::make_stream_extractor(dest, ExtractPolicy::release());
  sdk::StreamExtractor& ex = *owned;
  for (std::size_t i = 0; i < bytes.size(); i += 777) ASSERT_TRUE(ex.push(bytes.data() + i, std::min<std::size_t>(777, bytes.size() - i)));
  ExtractStats stats = ex.finish();
  EXPECT_EQ(stats.entries, 3u);
  EXPECT_EQ(stats.bytes, big.size() + 1);
  std::ifstream got(dest / "a/big", std::ios::binary);
  std::stringstream gs;
  gs << got.rdbuf();
  EXPECT_EQ(gs.str(), big);
}

TEST_F(ReleaseExtract, StreamReportsARefusalAndDropsTheRest) {
  write_archive(archive, {{TarEntry::File, "../outside/evil", "pwned"}, {TarEntry::File, "later", std::string(100000, 'z')}},
                Compression::None);
  std::ifstream in(archive, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  auto owned = plugins::libarchive::make_stream_extractor(dest, ExtractPolicy::release());
  sdk::StreamExtractor& ex = *owned;
  for (std::size_t i = 0; i < bytes.size(); i += 4096) ex.push(bytes.data() + i, std::min<std::size_t>(4096, bytes.size() - i));
  try {
    ex.finish();
    FAIL() << "accepted a .. entry";
  } catch (const ArchiveError& e) {
    EXPECT_NE(std::string(e.what()).find("'../outside/evil'"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(outside_is_empty());
}

TEST_F(ReleaseExtract, AbortStopsAWaitingExtractor) {
  auto owned = plugins::libarchive::make_stream_extractor(dest, ExtractPolicy::release());
  sdk::StreamExtractor& ex = *owned;
  ex.push("\x1f\x8b", 2);
  ex.abort();
  EXPECT_THROW(ex.finish(), ArchiveError);
}

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string s) : m_s(std::move(s)) {}
  std::size_t read(char* buf, std::size_t len) override {
    std::size_t n = std::min(len, m_s.size() - m_pos);
    std::memcpy(buf, m_s.data() + m_pos, n);
    m_pos += n;
    return n;
  }

 private:
  std::string m_s;
  std::size_t m_pos = 0;
};

TEST_F(ReleaseExtract, FromAByteSource) {
  write_archive(archive, {{TarEntry::File, "f", "hello"}}, Compression::Gzip);
  std::ifstream in(archive, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  StringSource src(ss.str());
  ExtractStats stats = extract_archive(src, dest, ExtractPolicy::package());
  EXPECT_EQ(stats.entries, 1u);
  std::ifstream f(dest / "f");
  std::string content;
  f >> content;
  EXPECT_EQ(content, "hello");
}

}  // namespace
}  // namespace iocell::core
