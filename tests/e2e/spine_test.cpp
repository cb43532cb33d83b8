// The spine end to end: the real binary on the embedded `dir` storage with
// empty jails (no release needed).
#include <gtest/gtest.h>

#include <set>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <iocell/core/config_store.hpp>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

using iocell::test::run_iocell;
using iocell::test::CliResult;
using iocell::test::trim;

namespace {

class Spine : public ::testing::Test {
 protected:
  iocell::test::TempDir dir{"iocell-e2e"};
  std::filesystem::path root = dir.path() / "root";

  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args)); }
  std::string create(std::vector<std::string> props) {
    props.insert(props.begin(), {"create", "-e"});
    auto r = run(props);
    EXPECT_EQ(r.code, 0) << r.err;
    auto pos = r.out.find("Successfully created: ");
    EXPECT_NE(pos, std::string::npos) << r.out;
    return r.out.substr(pos + 22, 36);
  }
};

TEST_F(Spine, CreateListGetSetDestroy) {
  std::string uuid = create({"tag=www", "notes=hello world"});
  EXPECT_TRUE(std::filesystem::exists(root / "jails" / uuid / "config.json"));
  EXPECT_EQ(std::filesystem::status(root / "jails").permissions() & std::filesystem::perms::others_all, std::filesystem::perms::none);

  auto list = run({"list", "-H"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out, "-\t" + uuid + "\toff\tdown\twww\temptyjail\t-\tnone\t-\n");

  auto human = run({"list"});
  EXPECT_EQ(human.out.substr(0, human.out.find('\n')).find("JID"), 0u);
  EXPECT_NE(human.out.find("UUID"), std::string::npos);

  EXPECT_EQ(trim(run({"get", "tag", uuid}).out), "www");
  EXPECT_EQ(trim(run({"get", "notes", "www"}).out), "hello world");
  EXPECT_EQ(trim(run({"get", "state", "www"}).out), "down");
  EXPECT_EQ(trim(run({"get", "priority", uuid.substr(0, 8)}).out), "99");

  ASSERT_EQ(run({"set", "priority=20", "boot=on", "www"}).code, 0);
  EXPECT_EQ(trim(run({"get", "priority", "www"}).out), "20");
  EXPECT_EQ(trim(run({"get", "boot", "www"}).out), "on");

  auto all = run({"get", "all", "www"});
  EXPECT_NE(all.out.find("priority:20\n"), std::string::npos);
  EXPECT_NE(all.out.find("uuid:" + uuid + "\n"), std::string::npos);

  ASSERT_EQ(run({"set", "tag=www02", uuid.substr(0, 6)}).code, 0);
  EXPECT_EQ(trim(run({"get", "tag", uuid}).out), "www02");

  auto no_tty = run({"destroy", "www02"});
  EXPECT_EQ(no_tty.code, 2) << "without a terminal destroy needs -f";
  EXPECT_TRUE(std::filesystem::exists(root / "jails" / uuid));
  auto d = run({"destroy", "-f", "www02"});
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_FALSE(std::filesystem::exists(root / "jails" / uuid));
  EXPECT_EQ(run({"list", "-H"}).out, "");
}

TEST_F(Spine, JsonOutputs) {
  std::string uuid = create({"tag=j1", "priority=5"});
  auto j = nlohmann::json::parse(run({"list", "--json"}).out);
  ASSERT_EQ(j["jails"].size(), 1u);
  EXPECT_EQ(j["jails"][0]["uuid"], uuid);
  EXPECT_EQ(j["jails"][0]["tag"], "j1");
  EXPECT_EQ(j["jails"][0]["state"], "down");
  EXPECT_EQ(j["jails"][0]["type"], "emptyjail");
  EXPECT_TRUE(j["jails"][0]["jid"].is_null());
  auto g = nlohmann::json::parse(run({"get", "--json", "priority", "j1"}).out);
  EXPECT_EQ(g["value"], 5);  // numbers as numbers
  auto all = nlohmann::json::parse(run({"get", "--json", "all", "j1"}).out);
  EXPECT_EQ(all["properties"]["tag"], "j1");
  auto p = nlohmann::json::parse(run({"plugins", "--json"}).out);
  ASSERT_TRUE(p["plugins"].is_array());
  bool has_dir = false;
  for (const auto& pl : p["plugins"]) {
    EXPECT_TRUE(pl.contains("name") && pl.contains("version") && pl.contains("path") && pl.contains("provides"));
    if (pl["name"] == "dir") has_dir = true;
  }
  EXPECT_TRUE(has_dir);
}

// Plugins are linked without --no-undefined when they take the C++ runtime
// from the binary (IOCELL_RUNTIME_IN_BINARY): loading each one into the real
// binary is the check that none lacks a symbol.
// Every plugin is loaded with all its symbols bound at once: a missing one fails.
TEST_F(Spine, EveryBuiltPluginLoadsIntoTheBinary) {
  auto p = nlohmann::json::parse(run({"plugins", "--json"}).out);
  std::set<std::string> loaded;
  for (const auto& pl : p["plugins"]) loaded.insert(std::filesystem::path(pl["path"].get<std::string>()).filename().string());
  for (const auto& w : p["skipped"]) ADD_FAILURE() << w["path"] << ": " << w["reason"];
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(IOCELL_PLUGIN_DIR)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("iocell-", 0) != 0 || e.path().extension() != ".so") continue;
    ++files;
    EXPECT_TRUE(loaded.count(name)) << name << " was not loaded";
  }
  EXPECT_GE(files, 10u);
}

TEST_F(Spine, InvalidValuesChangeNothingAndNameTheProblem) {
  std::string uuid = create({"tag=v"});
  auto config = [&] { return iocell::core::read_config(root / "jails" / uuid / "config.json"); };
  auto before = config();
  auto r = run({"set", "priority=7", "vnet=maybe", "v"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("vnet"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("maybe"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("on or off"), std::string::npos) << r.err;
  EXPECT_EQ(config(), before);  // priority=7 was not written either

  auto c = run({"create", "-e", "tag=bad/tag"});
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find("bad/tag"), std::string::npos);
  // The tag itself: "bad" alone also turns up in a random UUID now and then.
  EXPECT_EQ(run({"list", "-H"}).out.find("bad/tag"), std::string::npos);

  EXPECT_EQ(run({"set", "ip4_addr=em0|10.1.1.300/24", "v"}).code, 2);
  EXPECT_EQ(run({"set", "memoryuse=4G:explode", "v"}).code, 2);
  EXPECT_EQ(run({"get", "nosuchprop", "v"}).code, 2);
  EXPECT_EQ(run({"frobnicate"}).code, 2);
}

TEST_F(Spine, TargetsAreExactTagsUniquePrefixesOrFullUuids) {
  std::string a = create({"tag=alpha"});
  std::string b = create({"tag=beta"});
  EXPECT_EQ(trim(run({"get", "tag", a}).out), "alpha");
  EXPECT_EQ(trim(run({"get", "tag", "beta"}).out), "beta");
  auto missing = run({"get", "tag", "gamma"});
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("gamma"), std::string::npos);
  // A regex or glob is not a pattern here.
  EXPECT_EQ(run({"get", "tag", "alph."}).code, 3);
  EXPECT_EQ(run({"get", "tag", "*"}).code, 3);
  // The longest common prefix of two UUIDs is ambiguous when they share one.
  size_t common = 0;
  while (common < 36 && a[common] == b[common]) ++common;
  if (common > 0) {
    auto amb = run({"get", "tag", a.substr(0, common)});
    EXPECT_EQ(amb.code, 2);
    EXPECT_NE(amb.err.find(a), std::string::npos);
    EXPECT_NE(amb.err.find(b), std::string::npos);
  }
  EXPECT_EQ(trim(run({"get", "tag", a.substr(0, common + 1)}).out), "alpha");
}

// Resolution parses only the configs that mention the target: a tag that
// other jails merely contain (in another property, or as part of a longer
// tag) must not match, and tags JSON escapes must still be found.
TEST_F(Spine, TagsAreFoundWithoutMistakingMentionsForMatches) {
  std::string web = create({"tag=web", "notes=serves web"});
  std::string web2 = create({"tag=web2", "host_hostname=web"});
  std::string quoted = create({"tag=say\"hi\\", "notes=quoted"});
  EXPECT_EQ(trim(run({"get", "notes", "web"}).out), "serves web");
  EXPECT_EQ(trim(run({"get", "host_hostname", "web2"}).out), "web");
  EXPECT_EQ(trim(run({"get", "notes", "say\"hi\\"}).out), "quoted");
  EXPECT_EQ(run({"get", "notes", "say"}).code, 3);
  auto dup = run({"create", "-e", "tag=say\"hi\\"});
  EXPECT_NE(dup.code, 0);
  EXPECT_NE(dup.err.find("already used"), std::string::npos) << dup.err;
  // A full UUID reads its own directory; a prefix goes by directory names.
  EXPECT_EQ(trim(run({"get", "tag", web2}).out), "web2");
  EXPECT_EQ(trim(run({"get", "tag", quoted.substr(0, 30)}).out), "say\"hi\\");
}

TEST_F(Spine, DuplicateTagsAreRefused) {
  create({"tag=same"});
  auto r = run({"create", "-e", "tag=same"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("same"), std::string::npos);
  // The check may finish after the staging dataset was made: none is left.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(root / "jails")) entries += e.path().filename() != ".locks";
  EXPECT_EQ(entries, 1u) << "the refused create left something in jails/";
  std::string other = create({"tag=other"});
  EXPECT_NE(run({"set", "tag=same", "other"}).code, 0);
  EXPECT_EQ(trim(run({"get", "tag", other}).out), "other");
  EXPECT_EQ(run({"list", "-H"}).out.find("same\t") != std::string::npos, true);
}

// With many jails the tag check runs beside the clone (Inventory::tag_in_use):
// a taken tag is still refused, and nothing is left behind.
TEST_F(Spine, DuplicateTagsAreRefusedAmongManyJails) {
  ASSERT_EQ(run({"create", "-e", "count=40", "tag=many"}).code, 0);
  auto r = run({"create", "-e", "tag=many_37"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("many_37"), std::string::npos) << r.err;
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(root / "jails")) entries += e.is_directory();
  EXPECT_EQ(entries, 40u) << "the refused create left something in jails/";
  EXPECT_EQ(run({"create", "-e", "tag=many_41"}).code, 0);
}

TEST_F(Spine, DefaultsApplyToNewJailsAndReset) {
  std::string old = create({"tag=old"});
  ASSERT_EQ(run({"set", "vnet=on", "priority=10", "default"}).code, 0);
  auto defaults = run({"defaults"});
  EXPECT_NE(defaults.out.find("vnet=on\n"), std::string::npos);
  EXPECT_NE(defaults.out.find("priority=10\n"), std::string::npos);
  std::string fresh = create({"tag=new"});
  EXPECT_EQ(trim(run({"get", "vnet", "new"}).out), "on");
  EXPECT_EQ(trim(run({"get", "priority", "new"}).out), "10");
  EXPECT_EQ(trim(run({"get", "vnet", "old"}).out), "off") << "existing jails keep what they had";
  ASSERT_EQ(run({"set", "notes=custom", "allow_raw_sockets=1", "old"}).code, 0);
  ASSERT_EQ(run({"reset", "old"}).code, 0);
  EXPECT_EQ(trim(run({"get", "notes", "old"}).out), "none");
  EXPECT_EQ(trim(run({"get", "allow_raw_sockets", "old"}).out), "0");
  EXPECT_EQ(trim(run({"get", "vnet", "old"}).out), "on") << "reset re-applies the current defaults";
  EXPECT_EQ(trim(run({"get", "tag", old}).out), "old");
  EXPECT_EQ(run({"set", "tag=x", "default"}).code, 2);
  ASSERT_EQ(run({"reset", "ALL"}).code, 0);
}

TEST_F(Spine, CountMakesNumberedJails) {
  auto r = run({"create", "-e", "count=3", "tag=web", "ip4_addr=em0|10.1.1.10/24"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto list = run({"list", "-H", "-s", "tag"}).out;
  EXPECT_NE(list.find("\tweb_1\t"), std::string::npos);
  EXPECT_NE(list.find("\tweb_3\t"), std::string::npos);
  EXPECT_EQ(trim(run({"get", "ip4_addr", "web_3"}).out), "em0|10.1.1.12/24");
  EXPECT_EQ(run({"create", "-e", "count=0"}).code, 2);
}

TEST_F(Spine, UntaggedCreatesInOneSecondAllSucceedWithDistinctTags) {
  std::set<std::string> tags;
  for (int i = 0; i < 4; ++i) {
    auto r = run({"create", "-e"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  auto list = run({"list", "-H", "-s", "tag"});
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cols;
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, '\t');) cols.push_back(f);
    ASSERT_GE(cols.size(), 5u) << line;
    tags.insert(cols[4]);
  }
  EXPECT_EQ(tags.size(), 4u) << list.out;
}

TEST_F(Spine, MistypedCommandsAndPropertiesGetOneMessageWithTheNearestName) {
  auto cmd = run({"strat", "www"});
  EXPECT_EQ(cmd.code, 2);
  EXPECT_EQ(cmd.err.rfind("iocell: unknown command 'strat'; did you mean start?", 0), 0u) << cmd.err;
  create({"tag=www"});
  for (auto args : std::vector<std::vector<std::string>>{{"set", "notse=x", "www"}, {"get", "notse", "www"}}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 2) << args[0];
    EXPECT_NE(r.err.find("unknown property 'notse'; did you mean notes?"), std::string::npos) << r.err;
  }
}

TEST_F(Spine, CountRefusesARangeThatRunsOutAndMakesNothing) {
  auto r = run({"create", "-e", "count=3", "tag=edge", "ip4_addr=em0|10.1.1.253/24"});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("10.1.1.253/24"), std::string::npos) << r.err;
  EXPECT_EQ(run({"list", "-H"}).out, "") << "nothing was created";
}

TEST_F(Spine, InterruptedCreateLeavesNothingListedAndCleanRemovesIt) {
  create({"tag=real"});
  // What a kill -9 in the middle of create leaves: a staging dataset.
  auto stray = root / "jails" / ".new-0b0e6d2a-63a1-4c1e-9f3e-4c5d6e7f8a9b";
  std::filesystem::create_directories(stray / "root" / "etc");
  std::ofstream(stray / "config.json") << "{\"properties\":{\"tag\":\"ghost\"}}";
  EXPECT_EQ(run({"list", "-H"}).out.find("ghost"), std::string::npos);
  auto c = run({"clean"});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_NE(run({"list", "-H"}).out.find("real"), std::string::npos);
}

TEST_F(Spine, DryRunSaysWhatItWouldDoAndNeverClaimsItDidIt) {
  auto made = run({"--dry-run", "create", "-e", "tag=dry"});
  EXPECT_EQ(made.code, 0) << made.err;
  EXPECT_EQ(made.out.find("Successfully"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("would create"), std::string::npos) << made.out;
  EXPECT_EQ(run({"list", "-H"}).out.find("dry"), std::string::npos);

  const std::string uuid = create({"tag=www02"});
  auto destroyed = run({"--dry-run", "destroy", "-f", "www02"});
  EXPECT_EQ(destroyed.code, 0) << destroyed.err;
  EXPECT_EQ(destroyed.out.find("destroyed"), std::string::npos) << destroyed.out;
  EXPECT_NE(destroyed.out.find("would destroy " + root.string()), std::string::npos) << "the storage's step, without -v: " << destroyed.out;
  EXPECT_NE(destroyed.out.find("would destroy " + uuid), std::string::npos) << destroyed.out;
  EXPECT_TRUE(std::filesystem::exists(root / "jails" / uuid / "config.json"));

  auto snap = run({"--dry-run", "snapshot", "www02@s1"});
  EXPECT_EQ(snap.out.find("created"), std::string::npos) << snap.out;
  EXPECT_NE(snap.out.find("would create snapshot"), std::string::npos) << snap.out;
  EXPECT_EQ(run({"snaplist", "-H", "www02"}).out, "");
}

TEST_F(Spine, TemplatesMoveUnderTemplatesAndBack) {
  std::string uuid = create({"tag=tpl"});
  ASSERT_EQ(run({"set", "template=yes", "tpl"}).code, 0);
  EXPECT_TRUE(std::filesystem::exists(root / "templates" / uuid / "config.json"));
  EXPECT_EQ(run({"list", "-H"}).out, "");
  EXPECT_NE(run({"list", "-t", "-H"}).out.find("\ttpl\t"), std::string::npos);
  EXPECT_NE(run({"start", "tpl"}).code, 0) << "templates are not started";
  ASSERT_EQ(run({"set", "template=no", "tpl"}).code, 0);
  EXPECT_TRUE(std::filesystem::exists(root / "jails" / uuid / "config.json"));
}

TEST_F(Spine, DestroyForceStopsARunningJailFirst) {
  if (::geteuid() != 0) GTEST_SKIP() << "starting a jail needs root";
  std::string uuid = create({"tag=busy"});
  auto s = run({"start", "busy"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(trim(run({"get", "state", "busy"}).out), "up");
  EXPECT_NE(run({"destroy", "-f", "-x", "busy"}).code, 0);
  auto d = run({"destroy", "-f", "busy"});  // used to deadlock on the jail's own lock
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_FALSE(std::filesystem::exists(root / "jails" / uuid));
}

TEST_F(Spine, ExitCodesAndHelp) {
  EXPECT_EQ(run({"help"}).code, 0);
  auto h = run({"help", "create"});
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("usage: iocell create"), std::string::npos);
  EXPECT_EQ(run({"list", "--bogus"}).code, 2);
  EXPECT_EQ(run({"start", "nope"}).code, 3);
}

}  // namespace
