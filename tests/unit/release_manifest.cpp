// MANIFEST parsing, release names and the SHA-256 used to check the sets.
#include <gtest/gtest.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/release/manifest.hpp>
#include <iocell/core/release/releases.hpp>
#include <iocell/core/release/sha256.hpp>

namespace iocell::core {
namespace {

const std::string kSha = "b0b6ff0c1b6fa4e2e0c38b1a3f6a06fa44df7c2c4a2d37b8ee1a0cbf6d6d1234";

TEST(ReleaseManifest, ParsesTheFreeBsdFormat) {
  std::string text =
      "base-dbg.txz\t" + kSha + "\t5\tbase_dbg\t\"Base system (Debugging)\"\toff\n"
      "base.txz\t" + std::string(64, 'A') + "\t31245\tbase\t\"Base system (MANDATORY)\"\ton\n";
  Manifest m = Manifest::parse(text, "test");
  ASSERT_EQ(m.entries().size(), 2u);
  const ManifestEntry* base = m.find("base.txz");
  ASSERT_NE(base, nullptr);
  EXPECT_EQ(base->sha256, std::string(64, 'a')) << "digests compare in lower case";
  EXPECT_EQ(base->nfiles, 31245u);
  EXPECT_EQ(base->distname, "base");
  EXPECT_EQ(base->description, "Base system (MANDATORY)");
  EXPECT_TRUE(base->default_on);
  EXPECT_FALSE(m.find("base-dbg.txz")->default_on);
  EXPECT_EQ(m.find("src.txz"), nullptr);
}

TEST(ReleaseManifest, AcceptsCrLfAndBlankLines) {
  Manifest m = Manifest::parse("\nbase.txz\t" + kSha + "\t1\tbase\t\"B\"\ton\r\n\n", "test");
  EXPECT_EQ(m.entries().size(), 1u);
}

TEST(ReleaseManifest, RefusesMalformedLinesNamingThem) {
  auto fails_with = [](const std::string& text, const std::string& needle) {
    try {
      Manifest::parse(text, "http://x/MANIFEST");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("http://x/MANIFEST"), std::string::npos) << e.what();
    }
  };
  fails_with("base.txz " + kSha + " 1 base \"B\" on\n", "1 fields");
  fails_with("base.txz\t" + kSha + "\t1\tbase\t\"B\"\n", "5 fields");
  fails_with("base.txz\tdeadbeef\t1\tbase\t\"B\"\ton\n", "not a SHA-256");
  fails_with("base.txz\t" + std::string(63, 'a') + "g\t1\tbase\t\"B\"\ton\n", "not a SHA-256");
  fails_with("base.txz\t" + kSha + "\tmany\tbase\t\"B\"\ton\n", "not a number");
  fails_with("base.txz\t" + kSha + "\t1\tbase\t\"B\"\tyes\n", "neither on nor off");
  fails_with("../base.txz\t" + kSha + "\t1\tbase\t\"B\"\ton\n", "not a plain file name");
  fails_with("sub/base.txz\t" + kSha + "\t1\tbase\t\"B\"\ton\n", "not a plain file name");
  fails_with("base.txz\t" + kSha + "\t1\tbase\t\"B\"\ton\nbase.txz\t" + kSha + "\t1\tbase\t\"B\"\ton\n", "listed twice");
  fails_with("x\t" + kSha + "\t1\tx\t\"B\"\ton\nbad line\n", "line 2");
  fails_with("", "lists no distribution sets");
  fails_with("<html>404</html>\n", "1 fields");
}

TEST(ReleaseNames, StripPatchLevelAndRefuseOthers) {
  EXPECT_EQ(normalize_release_name("14.3-RELEASE"), "14.3-RELEASE");
  EXPECT_EQ(normalize_release_name("14.3-RELEASE-p3"), "14.3-RELEASE");
  EXPECT_EQ(normalize_release_name("15.0-CURRENT"), "15.0-CURRENT");
  EXPECT_EQ(normalize_release_name("14.2-RC1"), "14.2-RC1");
  for (const char* bad : {"", "14", "14.3", "release", "../14.3-RELEASE", "14.3-RELEASE/x", ".staging-14.3-RELEASE", "14.3-release"})
    EXPECT_THROW(normalize_release_name(bad), UsageError) << bad;
}

TEST(ReleaseNames, SnapshotsAreDevelopmentBuilds) {
  for (const char* s : {"15.0-CURRENT", "14.1-STABLE", "14.0-ALPHA1", "13.0-PRERELEASE"}) EXPECT_TRUE(is_snapshot_release(s)) << s;
  // BETA and RC builds are published under releases/, like RELEASE.
  for (const char* s : {"14.3-RELEASE", "14.3-RELEASE-p2", "14.0-BETA3", "14.2-RC1"}) EXPECT_FALSE(is_snapshot_release(s)) << s;
}

TEST(ReleaseNames, FreebsdUpdateServesAlphaBetaRcAndRelease) {
  // freebsd-update.8, BINARY UPDATES AVAILABILITY.
  for (const char* s : {"13.1-ALPHA3", "13.1-BETA2", "13.1-RC1", "13.1-RELEASE"}) EXPECT_TRUE(has_binary_updates(s)) << s;
  for (const char* s : {"13.0-PRERELEASE", "13.1-STABLE", "14.0-CURRENT", "nonsense"}) EXPECT_FALSE(has_binary_updates(s)) << s;
}

TEST(ReleaseSha256, KnownVectors) {
  EXPECT_EQ(Sha256::of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 h;
  const std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(a.data(), a.size());
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ReleaseSha256, PiecewiseEqualsWhole) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += static_cast<char>(i * 7 + 3);
  for (std::size_t step : {1u, 3u, 63u, 64u, 65u, 1000u}) {
    Sha256 h;
    for (std::size_t i = 0; i < data.size(); i += step) h.update(data.data() + i, std::min(step, data.size() - i));
    EXPECT_EQ(h.hex_digest(), Sha256::of(data)) << step;
  }
}

}  // namespace
}  // namespace iocell::core
