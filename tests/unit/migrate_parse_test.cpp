// The legacy formats migrate reads: the shell iocell's UCL config files and
// `zfs get -H -p -o name,source,property,value` of iocage 1.x datasets.
#include <gtest/gtest.h>

#include <iocell/core/config_store.hpp>
#include <iocell/core/ops/migrate.hpp>

using namespace iocell::core;

namespace {

// The message names the file, the line and the column, then the problem.
void bad(const std::string& text, const std::string& where, const std::string& what) {
  try {
    parse_ucl(text, "/iocell/jails/x/config");
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const UclError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("/iocell/jails/x/config:" + where + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}

}  // namespace

TEST(MigrateUcl, ReadsTheConfigTheShellIocellWrites) {
  // iocell-behaviour.md §6, "Config file".
  auto v = parse_ucl(
      "interfaces = \"vnet0:bridge0,vnet1:bridge1\";\n"
      "vnet = \"on\";\n"
      "ip4_addr = \"vnet0|192.168.1.10/24\";\n"
      "tag = \"testjail\";\n"
      "memoryuse = \"8G:log\";\n",
      "config");
  EXPECT_EQ(v, (PropertyValues{{"interfaces", "vnet0:bridge0,vnet1:bridge1"},
                               {"vnet", "on"},
                               {"ip4_addr", "vnet0|192.168.1.10/24"},
                               {"tag", "testjail"},
                               {"memoryuse", "8G:log"}}));
}

TEST(MigrateUcl, CommentsBlanksSpacingAndTheOptionalSemicolon) {
  auto v = parse_ucl(
      "\xEF\xBB\xBF# written by uclcmd\r\n"
      "\n"
      "   // another comment\n"
      "tag=\"a\";   # trailing comment\n"
      "boot = \"off\"\n"
      "\tpriority\t=\t\"20\" ;\n"
      "notes = \"\";\n",
      "config");
  EXPECT_EQ(v, (PropertyValues{{"tag", "a"}, {"boot", "off"}, {"priority", "20"}, {"notes", ""}}));
}

TEST(MigrateUcl, JsonEscapesAndBareWords) {
  auto v = parse_ucl(
      "notes = \"say \\\"hi\\\" \\\\ \\/ \\t \\u00e9\";\n"
      "exec_fib = 0;\n"
      "ip4_addr = em0|10.1.1.10/24;\n",
      "config");
  EXPECT_EQ(v["notes"], "say \"hi\" \\ / \t \xC3\xA9");
  EXPECT_EQ(v["exec_fib"], "0");
  EXPECT_EQ(v["ip4_addr"], "em0|10.1.1.10/24");
  // The '#' inside a string is no comment.
  EXPECT_EQ(parse_ucl("notes = \"a # b\"; # c\n", "f")["notes"], "a # b");
}

TEST(MigrateUcl, RefusesWhatIsNotTheSubsetWithFileLineAndColumn) {
  bad("tag = \"a\";\nnotes = \"open\n", "2:14", "unterminated string for 'notes'");
  bad("tag \"a\";\n", "1:5", "expected '=' after 'tag'");
  bad("tag = \"a\";\nboot = \"on\";\ntag = \"b\";\n", "3:1", "'tag' is given twice (first on line 1)");
  bad("jail {\n  tag = \"a\";\n}\n", "1:6", "expected '=' after 'jail'");
  bad("{ tag = \"a\" }\n", "1:1", "objects and arrays");
  bad("tag = [\"a\"];\n", "1:7", "object or array");
  bad("notes = <<EOD\nx\nEOD\n", "1:9", "multi-line strings");
  bad("tag = \"a\" boot = \"on\";\n", "1:11", "unexpected 'b' after the value of 'tag'");
  bad("notes = \"\\q\";\n", "1:12", "unknown escape \\q");
  bad("notes = \"\\u12\";\n", "1:14", "\\u needs four hex digits");
  bad("= \"a\";\n", "1:1", "expected a property name");
  bad("tag = ;\n", "1:7", "expected a value for 'tag'");
}

TEST(MigrateUcl, ReadsEveryFixtureConfigButTheBrokenOne) {
  const std::string base = std::string(IOCELL_TEST_DATA_DIR) + "/migrate/iocell/";
  auto testjail = parse_ucl(read_file(base + "jails/9e4c9ab7-8a74-11e7-878c-001d7284b012/config"), "testjail");
  EXPECT_EQ(testjail["notes"], "say \"hi\" to the web team");
  EXPECT_EQ(testjail["ip4_addr"], "vnet0|192.168.1.10/24");
  EXPECT_GT(testjail.size(), 80u);
  EXPECT_EQ(parse_ucl(read_file(base + "templates/phptmpl/config"), "t")["istemplate"], "yes");
  EXPECT_EQ(parse_ucl(read_file(base + ".default"), "d")["priority"], "50");
  EXPECT_THROW(parse_ucl(read_file(base + "jails/7b2f0c11-0d5e-11e8-a1b2-001d7284b012/config"), "b"), UclError);
}

