// One release-name grammar for the release property, fetch, the updaters
// and pkgbase: each of them answers as support::parse_release_name does.
#include <gtest/gtest.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/core/release/releases.hpp>
#include <iocell/sdk/freebsd_base.hpp>
#include <iocell/support/release_name.hpp>

namespace iocell::support {
namespace {

constexpr const char* kFreeBSD[] = {"14.3-RELEASE", "14.3-RELEASE-p2", "15.0-BETA1", "15.0-RC2", "14.3-STABLE",
                                    "15.0-CURRENT", "14.2-ALPHA1", "14.3-PRERELEASE", "13.2-RELEASE-p14", "15.0-RC3-p1"};
constexpr const char* kOtherHosts[] = {"1.36-BUSYBOX"};
constexpr const char* kInvalid[] = {"",           "14.3-2",         "14.3",          "14",           "14.3-",
                                    "14.3-release", "14.3-RELEASE-p", "14.3-RELEASE-p0", "14.3-RELEASE-px", "14.3-RELEASE-p2-p3",
                                    "14.3-RC0",   "14.3-RC01",      "014.3-RELEASE", "14.03-RELEASE", "a14.3-RELEASE",
                                    "14.3-RELEASE ", " 14.3-RELEASE", "../14.3-RELEASE", "14.3-RELEASE/x", "14.3_RELEASE",
                                    "1234567.0-RELEASE", "14.3-RE-LEASE"};

TEST(VocabReleaseName, ParsesItsParts) {
  auto r = parse_release_name("15.0-RC2-p3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->major, 15);
  EXPECT_EQ(r->minor, 0);
  EXPECT_EQ(r->branch, "RC");
  EXPECT_EQ(r->branch_number, 2);
  EXPECT_EQ(r->patch, 3);
  EXPECT_EQ(r->base(), "15.0-RC2");
  EXPECT_TRUE(r->freebsd());
  EXPECT_FALSE(r->snapshot()) << "RC builds are under releases/ (bsdinstall's mirrorselect)";
  EXPECT_TRUE(r->binary_updates());
  EXPECT_EQ(parse_release_name("14.3-RELEASE-p2")->base(), "14.3-RELEASE");
  EXPECT_FALSE(parse_release_name("14.3-RELEASE")->snapshot());
}

TEST(VocabReleaseName, FreeBSDNamesAreValidEverywhere) {
  for (const char* name : kFreeBSD) {
    EXPECT_TRUE(is_release_name(name)) << name;
    EXPECT_TRUE(parse_freebsd_release(name)) << name;
    EXPECT_TRUE(sdk::freebsd::parse_release(name)) << name;
    EXPECT_NO_THROW(core::validate_property("release", name)) << name;
    EXPECT_NO_THROW(core::normalize_release_name(name)) << name;
  }
}

TEST(VocabReleaseName, OtherHostsReleasesAreNamesButNotFreeBSDs) {
  for (const char* name : kOtherHosts) {
    EXPECT_TRUE(is_release_name(name)) << name;
    EXPECT_NO_THROW(core::validate_property("release", name)) << name;
    EXPECT_FALSE(sdk::freebsd::parse_release(name)) << name;
    EXPECT_FALSE(core::is_snapshot_release(name)) << name;
  }
  for (const char* name : {"14.3-BETA", "14.3-RC", "14.3-CURRENT1", "14.3-CURRENT-p2", "14.3-STABLE-p1"})
    EXPECT_FALSE(parse_freebsd_release(name)) << name;
}

TEST(VocabReleaseName, InvalidNamesAreRefusedEverywhere) {
  for (const char* name : kInvalid) {
    EXPECT_FALSE(is_release_name(name)) << name;
    EXPECT_FALSE(sdk::freebsd::parse_release(name)) << name;
    EXPECT_THROW(core::validate_property("release", name), core::UsageError) << name;
    EXPECT_THROW(core::normalize_release_name(name), core::UsageError) << name;
    EXPECT_FALSE(core::is_snapshot_release(name)) << name;
  }
}

TEST(VocabReleaseName, SnapshotsAreTheDevelopmentBranches) {
  // bsdinstall's mirrorselect: *-ALPHA*|*-CURRENT|*-STABLE|*-PRERELEASE) RELDIR="snapshots".
  for (const char* name : {"15.0-CURRENT", "14.3-STABLE", "14.3-PRERELEASE", "14.2-ALPHA1"})
    EXPECT_TRUE(core::is_snapshot_release(name)) << name;
  for (const char* name : {"14.3-RELEASE", "14.3-RELEASE-p2", "15.0-BETA1", "15.0-RC2", "15.0-RC3-p1"})
    EXPECT_FALSE(core::is_snapshot_release(name)) << name;
}

}  // namespace
}  // namespace iocell::support
