// Legacy properties of the shell iocell and iocage 1.x -> today's table.
#include <gtest/gtest.h>

#include <algorithm>

#include <iocell/core/errors.hpp>
#include <iocell/core/ops/migrate.hpp>

using namespace iocell::core;

namespace {

const std::string kUuid = "9e4c9ab7-8a74-11e7-878c-001d7284b012";

MappedProperties jail(const PropertyValues& legacy, LegacyKind kind = LegacyKind::Iocell, const std::string& origin = "",
                      bool root_has_system = true) {
  return map_legacy_jail(legacy, kind, LegacyFacts{kUuid, origin, root_has_system});
}

const Dropped* dropped(const MappedProperties& m, const std::string& name) {
  auto it = std::find_if(m.dropped.begin(), m.dropped.end(), [&](const Dropped& d) { return d.name == name; });
  return it == m.dropped.end() ? nullptr : &*it;
}

bool noted(const MappedProperties& m, const std::string& text) {
  return std::any_of(m.notes.begin(), m.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

}  // namespace

TEST(MigrateMap, ValidValuesAreKeptUnderTheirNames) {
  auto m = jail({{"tag", "testjail"}, {"release", "11.1-RELEASE"}, {"type", "basejail"}, {"vnet", "on"},
                 {"ip4_addr", "vnet0|192.168.1.10/24"}, {"memoryuse", "8G:log"}, {"priority", "20"},
                 {"notes", "say \"hi\""}, {"last_started", "2017-08-26_11:02:03"}});
  EXPECT_EQ(m.props, (PropertyValues{{"tag", "testjail"}, {"release", "11.1-RELEASE"}, {"type", "basejail"}, {"template", "no"},
                                     {"vnet", "on"}, {"ip4_addr", "vnet0|192.168.1.10/24"}, {"memoryuse", "8G:log"},
                                     {"priority", "20"}, {"notes", "say \"hi\""}, {"last_started", "2017-08-26_11:02:03"}}));
  EXPECT_TRUE(m.dropped.empty());
}

TEST(MigrateMap, InvalidValuesAreReportedAndLeftOut) {
  auto m = jail({{"tag", "www"}, {"ip4_addr", "AUTOIP4"}, {"priority", "150"}, {"boot", "YES"}, {"frobnicate", "1"}});
  EXPECT_FALSE(m.props.count("ip4_addr"));
  EXPECT_FALSE(m.props.count("priority"));
  EXPECT_FALSE(m.props.count("boot"));
  ASSERT_TRUE(dropped(m, "ip4_addr"));
  EXPECT_NE(dropped(m, "ip4_addr")->reason.find("invalid value 'AUTOIP4' for property ip4_addr"), std::string::npos);
  EXPECT_NE(dropped(m, "priority")->reason.find("out of range"), std::string::npos);
  EXPECT_NE(dropped(m, "boot")->reason.find("allowed: on or off"), std::string::npos);
  EXPECT_EQ(dropped(m, "frobnicate")->reason, "not an iocell property");
  EXPECT_EQ(dropped(m, "frobnicate")->value, "1");
}

TEST(MigrateMap, RenamedProperties) {
  auto m = jail({{"istemplate", "yes"}, {"hostname", "web.example.org"}}, LegacyKind::Iocage);
  EXPECT_EQ(m.props["template"], "yes");
  EXPECT_EQ(m.props["host_hostname"], "web.example.org");
  EXPECT_FALSE(m.props.count("hostname"));
  EXPECT_FALSE(m.props.count("istemplate"));

  // Both host names: host_hostname wins and the other is reported.
  auto both = jail({{"host_hostname", "a"}, {"hostname", "b"}}, LegacyKind::Iocage);
  EXPECT_EQ(both.props["host_hostname"], "a");
  ASSERT_TRUE(dropped(both, "hostname"));

  // The shell iocell's template names the template a jail came from.
  auto from = jail({{"template", "phptmpl"}, {"istemplate", "no"}});
  EXPECT_EQ(from.props["template"], "no");
  ASSERT_TRUE(dropped(from, "template"));
  EXPECT_EQ(dropped(from, "template")->value, "phptmpl");
  EXPECT_FALSE(dropped(jail({{"template", "none"}}), "template"));
}

TEST(MigrateMap, TypesOfBothTools) {
  EXPECT_EQ(jail({{"type", "thickjail"}}).props["type"], "thickjail");
  EXPECT_EQ(jail({{"type", "emptyjail"}}).props["type"], "emptyjail");
  EXPECT_EQ(jail({}).props["type"], "basejail");  // the shell iocell's default

  auto tmpl = jail({{"type", "template"}});
  EXPECT_EQ(tmpl.props["type"], "basejail");
  EXPECT_EQ(tmpl.props["template"], "yes");

  // type=jail (iocage 1.x, and old shell jails) by the dataset's origin.
  auto thick = jail({{"type", "jail"}}, LegacyKind::Iocage, "-");
  EXPECT_EQ(thick.props["type"], "thickjail");
  auto thin = jail({{"type", "jail"}}, LegacyKind::Iocage, "tank/iocage/releases/10.3-RELEASE@" + kUuid);
  EXPECT_EQ(thin.props["type"], "clonejail");
  EXPECT_TRUE(noted(thin, "a clone of tank/iocage/releases/10.3-RELEASE@"));
  EXPECT_EQ(jail({}, LegacyKind::Iocage, "").props["type"], "thickjail");  // 1.x's default type is jail

  // A shell clonejail of a basejail has no system of its own.
  EXPECT_EQ(jail({{"type", "clonejail"}}, LegacyKind::Iocell, "", true).props["type"], "clonejail");
  EXPECT_EQ(jail({{"type", "clonejail"}}, LegacyKind::Iocell, "", false).props["type"], "basejail");
  EXPECT_EQ(jail({{"type", "clonejail"}}, LegacyKind::Iocage, "", false).props["type"], "clonejail");

  EXPECT_EQ(jail({{"type", "gitjail"}}).props["type"], "thickjail");
  try {
    jail({{"type", "vmjail"}});
    ADD_FAILURE() << "an unknown type was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'vmjail'"), std::string::npos) << e.what();
  }
}

TEST(MigrateMap, DashAndNone) {
  // iocage started a jail with vnet "-" as a VNET jail.
  EXPECT_EQ(jail({{"vnet", "-"}}, LegacyKind::Iocage).props["vnet"], "on");
  auto m = jail({{"defaultrouter", "-"}, {"notes", "-"}, {"priority", "-"}, {"boot", "none"}}, LegacyKind::Iocage);
  EXPECT_EQ(m.props["defaultrouter"], "none");
  EXPECT_EQ(m.props["notes"], "none");
  EXPECT_FALSE(m.props.count("priority"));
  ASSERT_TRUE(dropped(m, "priority"));
  EXPECT_EQ(dropped(m, "priority")->reason, "unset; the default applies");
  EXPECT_EQ(dropped(m, "boot")->reason, "unset; the default applies");
  EXPECT_EQ(m.props["release"], "none");
}

TEST(MigrateMap, GoneAndBookkeepingProperties) {
  auto m = jail({{"keepbridge", "off"}, {"ip4_autostart", "none"}, {"gitlocation", "https://github.com"}, {"pool", "tank"},
                 {"count", "1"}, {"host_hostuuid", kUuid}, {"sync_stat", "none"}});
  EXPECT_TRUE(m.dropped.empty()) << m.dropped.front().name;
  EXPECT_EQ(m.props.size(), 3u);  // type, template, release

  auto changed = jail({{"keepbridge", "on"}, {"ip4_autostart", "10.0.0.10"}, {"host_hostuuid", "0c1f"}});
  ASSERT_TRUE(dropped(changed, "keepbridge"));
  EXPECT_NE(dropped(changed, "keepbridge")->reason.find("never destroys a bridge"), std::string::npos);
  ASSERT_TRUE(dropped(changed, "ip4_autostart"));
  EXPECT_TRUE(noted(changed, "host_hostuuid 0c1f differed from the UUID"));
}

TEST(MigrateMap, DefaultsKeepOnlyChoices) {
  PropertyValues shell = {{"pool", "tank"},          {"tag", "2017-06-17@12:00:00"}, {"vnet", "on"},
                          {"ftphost", "ftp.freebsd.org"}, {"priority", "50"},          {"memoryuse", "8G:log"},
                          {"exec_timeout", "forever"},    {"keepbridge", "off"},       {"resolver", "nameserver 10.0.0.1"}};
  auto m = map_legacy_defaults(shell, LegacyKind::Iocell);
  EXPECT_EQ(m.props, (PropertyValues{{"priority", "50"}, {"resolver", "nameserver 10.0.0.1"}}));
  ASSERT_EQ(m.dropped.size(), 1u);
  EXPECT_EQ(m.dropped[0].name, "exec_timeout");

  // iocage's .defaults holds only what the user set: vnet counts there.
  auto i = map_legacy_defaults({{"vnet", "on"}, {"ftphost", "ftp.freebsd.org"}, {"hostid", "x"}}, LegacyKind::Iocage);
  EXPECT_EQ(i.props, (PropertyValues{{"vnet", "on"}, {"ftphost", "ftp.freebsd.org"}}));
}
