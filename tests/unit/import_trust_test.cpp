// The trust policy of untrusted imports (core/trust.hpp): the class of each
// property lives in the property table, the filter drops what acts on the
// host or widens the jail unless the admin names it.
#include <gtest/gtest.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/trust.hpp>

using namespace iocell::core;

TEST(ImportTrust, TheTableClassesWhatActsOnTheHostOrWidensTheJail) {
  for (const char* p : {"exec_prestart", "exec_poststart", "exec_prestop", "exec_poststop", "exec_system_user", "boot", "ip4_addr", "interfaces"})
    EXPECT_EQ(property_trust(p), Trust::HostActing) << p;
  for (const char* p : {"allow_mount", "allow_mount_nullfs", "allow_raw_sockets", "enforce_statfs", "securelevel", "devfs_ruleset",
                        "jail_zfs", "jail_zfs_dataset", "ip4", "children_max", "bpf"})
    EXPECT_EQ(property_trust(p), Trust::PrivilegeWidening) << p;
  for (const char* p : {"notes", "exec_start", "exec_stop", "host_hostname", "memoryuse", "quota", "tag"})
    EXPECT_EQ(property_trust(p), Trust::Plain) << p;
  EXPECT_EQ(property_trust("no_such_property"), Trust::Plain);
}

TEST(ImportTrust, UntrustedValuesAreDroppedAndReported) {
  const PropertyValues image = {{"exec_prestart", "/bin/sh -c evil"}, {"allow_mount", "1"}, {"boot", "on"}, {"notes", "hi"}};
  const TrustFiltered none = filter_untrusted(image, {});
  EXPECT_EQ(none.kept, (PropertyValues{{"notes", "hi"}}));
  ASSERT_EQ(none.dropped.size(), 3u);
  EXPECT_EQ(none.dropped[0], "allow_mount=1 (privilege-widening)");
  EXPECT_EQ(none.dropped[2], "exec_prestart=/bin/sh -c evil (host-acting)");
  EXPECT_TRUE(none.trusted.empty());

  const TrustFiltered some = filter_untrusted(image, parse_trust("exec_prestart,fstab", false));
  EXPECT_EQ(some.kept.count("exec_prestart"), 1u);
  EXPECT_EQ(some.kept.count("allow_mount"), 0u);
  EXPECT_EQ(some.trusted, std::vector<std::string>{"exec_prestart=/bin/sh -c evil (host-acting)"});

  const TrustFiltered all = filter_untrusted(image, parse_trust("", true));
  EXPECT_EQ(all.kept, image);
  EXPECT_EQ(all.trusted.size(), 3u);
}

TEST(ImportTrust, TrustNamesAreChecked) {
  try {
    parse_trust("exec_prestart,bogus", false);
    FAIL() << "an unknown name was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'bogus' is not a property"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("allowed: fstab,"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_trust("notes", false), UsageError) << "a plain property is always taken; naming it is a mistake";
  EXPECT_TRUE(parse_trust("fstab,allow_mount", false).covers("fstab"));
  EXPECT_FALSE(parse_trust("allow_mount", false).covers("fstab"));
}
