// iocell migrate, the whole command with the real binary: the shell iocell's
// UCL files on a plain-directory root (tests/data/migrate/iocell; no external
// command may run), and iocage 1.x's ZFS user properties on a FreeBSD host
// played by the transcripts tests/transcripts/migrate/iocage_*.txt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <iocell/core/config_store.hpp>
#include <iocell/core/runners.hpp>

#include "support/storage_fixture.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

struct Result {
  int code = 0;
  std::string out, err;
};

// iocell --root ROOT ARGS... with extra environment; with a transcript in
// it, the command line built to play one (tests/scripted/main.cpp).
Result run_binary(const fs::path& root, std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), {env.count("IOCELL_TRANSCRIPT") ? IOCELL_SCRIPTED_BINARY : IOCELL_BINARY, "--root", root.string()});
  iocell::sdk::Command cmd(args);
  cmd.env = env;
  cmd.timeout = std::chrono::seconds(120);
  auto res = iocell::core::PosixRunner().run(cmd);
  return Result{res.exit_code, res.out, res.err};
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

const std::string kTestjail = "9e4c9ab7-8a74-11e7-878c-001d7284b012";
const std::string kWww = "24d01cae-c762-11e7-b551-38d547ac277c";
const std::string kBroken = "7b2f0c11-0d5e-11e8-a1b2-001d7284b012";
const std::string kTemplate = "3f1c0e7a-8a75-11e7-878c-001d7284b012";

iocell::core::PropertyValues config_of(const fs::path& file) { return iocell::core::read_config(file); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class MigrateShell : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(std::string(IOCELL_TEST_DATA_DIR) + "/migrate/iocell", root, fs::copy_options::recursive);
    std::ofstream(empty_transcript).flush();
  }
  // An empty transcript: migrating the shell iocell's files runs nothing.
  Result migrate(std::vector<std::string> args) {
    args.insert(args.begin(), {"--storage", "dir"});
    return run_binary(root, args, {{"IOCELL_TRANSCRIPT", empty_transcript.string()}});
  }
  Result run(std::vector<std::string> args) { return run_binary(root, std::move(args)); }

  iocell::test::TempDir dir{"iocell-migrate"};
  fs::path root = dir.path() / "iocell";
  fs::path empty_transcript = dir.path() / "nothing.txt";
};

TEST_F(MigrateShell, DryRunSaysEverythingAndWritesNothing) {
  for (const auto& args : {std::vector<std::string>{"migrate", "--dry-run", "--from", "iocell"},
                           std::vector<std::string>{"--dry-run", "migrate", "--from", "iocell"}}) {
    auto r = migrate(args);
    EXPECT_EQ(r.code, 4) << r.out << r.err;  // the broken config fails, the others would migrate
    EXPECT_TRUE(has(r.out, "would migrate iocell jail " + kTestjail + " (testjail) from " + (root / "jails" / kTestjail).string()))
        << r.out;
    EXPECT_TRUE(has(r.out, "  would write " + (root / "jails" / kTestjail / "config.json").string())) << r.out;
    EXPECT_TRUE(has(r.out, "  not kept: ip4_addr=AUTOIP4: invalid value 'AUTOIP4' for property ip4_addr")) << r.out;
    EXPECT_TRUE(has(r.out, "  would rename templates/phptmpl to templates/" + kTemplate)) << r.out;
    EXPECT_TRUE(has(r.out, "would set default priority=50")) << r.out;
    EXPECT_TRUE(has(r.out, "would migrate 3 of 4 legacy jails, 1 not migrated")) << r.out;
  }
  EXPECT_FALSE(fs::exists(root / "jails" / kTestjail / "config.json"));
  EXPECT_TRUE(fs::exists(root / "templates" / "phptmpl"));
  EXPECT_FALSE(fs::exists(root / "defaults.json"));
}

TEST_F(MigrateShell, KeepsUuidTagAndEveryValidProperty) {
  auto r = migrate({"migrate", "--from", "iocell"});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "not migrated: iocell jail " + kBroken + " in " + (root / "jails" / kBroken).string() + ": ")) << r.out;
  EXPECT_TRUE(has(r.out, kBroken + "/config:2:")) << r.out;
  EXPECT_TRUE(has(r.out, "unterminated string for 'notes' (values end on their own line)")) << r.out;
  EXPECT_TRUE(has(r.out, "migrated 3 of 4 legacy jails, 1 not migrated")) << r.out;

  auto t = config_of(root / "jails" / kTestjail / "config.json");
  EXPECT_EQ(t["uuid"], kTestjail);
  EXPECT_EQ(t["tag"], "testjail");
  EXPECT_EQ(t["type"], "basejail");
  EXPECT_EQ(t["template"], "no");
  EXPECT_EQ(t["notes"], "say \"hi\" to the web team");
  EXPECT_EQ(t["priority"], "20");
  EXPECT_EQ(t["vnet"], "on");
  EXPECT_EQ(t["ip4_addr"], "vnet0|192.168.1.10/24");
  EXPECT_EQ(t["vnet0_mac"], "02ff609e4c9a,02ff609e4c9b");
  EXPECT_EQ(t["last_started"], "2017-08-26_11:02:03");
  for (const char* gone : {"pool", "count", "keepbridge", "istemplate", "host_hostuuid", "sync_stat", "gitlocation"})
    EXPECT_FALSE(t.count(gone)) << gone;

  auto w = config_of(root / "jails" / kWww / "config.json");
  EXPECT_EQ(w["type"], "clonejail");  // it has a system of its own in root/bin
  EXPECT_EQ(w["host_hostname"], "www.example.org");
  EXPECT_FALSE(w.count("ip4_addr"));
  EXPECT_EQ(w["template"], "no");
  EXPECT_TRUE(has(r.out, "  not kept: template=phptmpl: names the template the jail was created from")) << r.out;
  EXPECT_TRUE(has(r.out, "  not kept: keepbridge=on: iocell never destroys a bridge")) << r.out;

  EXPECT_FALSE(fs::exists(root / "templates" / "phptmpl"));
  auto p = config_of(root / "templates" / kTemplate / "config.json");
  EXPECT_EQ(p["template"], "yes");
  EXPECT_EQ(p["type"], "basejail");
  EXPECT_EQ(p["tag"], "phptmpl");

  auto d = config_of(root / "defaults.json");
  EXPECT_EQ(d, (iocell::core::PropertyValues{{"priority", "50"}, {"resolver", "nameserver 10.0.0.1;search example.org"}}));
  EXPECT_TRUE(has(r.out, "default not kept: exec_timeout=forever")) << r.out;

  // The legacy files stay; iocell sees the jails.
  EXPECT_TRUE(fs::exists(root / "jails" / kTestjail / "config"));
  auto list = run({"list", "-H"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_TRUE(has(list.out, kTestjail + "\ton\tdown\ttestjail\tbasejail")) << list.out;
  EXPECT_TRUE(has(list.out, kWww + "\toff\tdown\twww\tclonejail")) << list.out;
  EXPECT_FALSE(has(list.out, kBroken));
  EXPECT_TRUE(has(run({"list", "-t", "-H"}).out, kTemplate + "\toff\tdown\tphptmpl")) << run({"list", "-t", "-H"}).out;
  EXPECT_EQ(trim(run({"get", "priority", "testjail"}).out), "20");
  EXPECT_EQ(trim(run({"get", "tag", "24d0"}).out), "www");
}

TEST_F(MigrateShell, RunsAgainWithoutHarmAndPicksUpWhatWasFixed) {
  ASSERT_EQ(migrate({"migrate"}).code, 4);
  const auto before = iocell::core::read_file(root / "jails" / kTestjail / "config.json");
  auto again = migrate({"migrate"});
  EXPECT_EQ(again.code, 4) << again.out;
  EXPECT_TRUE(has(again.out, "already migrated: " + kTestjail)) << again.out;
  EXPECT_TRUE(has(again.out, "migrated 0 of 4 legacy jails, 3 already migrated, 1 not migrated")) << again.out;
  EXPECT_FALSE(has(again.out, "set default")) << again.out;  // iocell's own defaults now win
  EXPECT_EQ(iocell::core::read_file(root / "jails" / kTestjail / "config.json"), before);

  std::ofstream(root / "jails" / kBroken / "config") << "tag = \"broken\";\nnotes = \"fixed\";\n";
  auto fixed = migrate({"migrate"});
  EXPECT_EQ(fixed.code, 0) << fixed.out;
  EXPECT_EQ(config_of(root / "jails" / kBroken / "config.json")["notes"], "fixed");
}

TEST_F(MigrateShell, ATakenTagGetsTheUuidAppended) {
  fs::create_directories(root / "jails" / "11111111-2222-4333-8444-555555555555");
  iocell::core::write_config(root / "jails" / "11111111-2222-4333-8444-555555555555" / "config.json",
                             {{"uuid", "11111111-2222-4333-8444-555555555555"}, {"tag", "www"}, {"type", "emptyjail"}});
  auto r = migrate({"migrate", "--from", "iocell"});
  EXPECT_TRUE(has(r.out, "  note: tag www is used by 11111111-2222-4333-8444-555555555555; tagged www-24d01cae")) << r.out;
  EXPECT_EQ(config_of(root / "jails" / kWww / "config.json")["tag"], "www-24d01cae");
}

TEST_F(MigrateShell, BadArgumentsChangeNothing) {
  EXPECT_EQ(migrate({"migrate", "--from", "ezjail"}).code, 2);
  EXPECT_EQ(migrate({"migrate", "--from", "iocage"}).code, 2);  // iocage lives in ZFS, this root is dir
  EXPECT_EQ(migrate({"migrate", "tank", "zroot"}).code, 2);
  EXPECT_EQ(migrate({"migrate", "-bad-pool"}).code, 2);
  EXPECT_EQ(migrate({"migrate", "tag=x"}).code, 2);
  EXPECT_FALSE(fs::exists(root / "jails" / kTestjail / "config.json"));
}

// --- iocage 1.x on FreeBSD, by transcript --------------------------------

const std::string kWeb = "0f8c2d9e-2b4e-11e6-9d73-0025905a1b2c";
const std::string kDb = "5c3b9a1f-2b4f-11e6-9d73-0025905a1b2c";
const std::string kTmpl = "b7e1d4c2-2b50-11e6-9d73-0025905a1b2c";

class MigrateIocage : public ::testing::Test {
 protected:
  void SetUp() override {
    // What the mounted datasets would show: each jail's directory.
    for (const auto& u : {kWeb, kDb, kTmpl}) fs::create_directories(iocage / "jails" / u / "root");
  }
  Result migrate(const std::string& transcript, std::vector<std::string> args) {
    args.insert(args.begin(), "migrate");
    return run_binary(root, args,
                  {{"IOCELL_HOST_OS", "freebsd"},
                   {"IOCELL_TRANSCRIPT", std::string(IOCELL_TRANSCRIPT_DIR) + "/migrate/" + transcript + ".txt"},
                   {"IOCELL_TRANSCRIPT_VARS", "ROOT=" + root.string() + ";IOCAGE=" + iocage.string()}});
  }
  fs::path cfg(const std::string& uuid) { return iocage / "jails" / uuid / "config.json"; }

  iocell::test::TempDir dir{"iocell-migrate-fbsd"};
  fs::path root = dir.path() / "iocell";
  fs::path iocage = dir.path() / "iocage";
};

TEST_F(MigrateIocage, WritesConfigsThenMovesTheDatasetsUnderIocell) {
  auto r = migrate("iocage_jails", {"--from", "iocage"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "migrated iocage jail " + kWeb + " (web) from tank/iocage/jails/" + kWeb)) << r.out;
  EXPECT_TRUE(has(r.out, "  ran: zfs rename tank/iocage/jails/" + kWeb + " tank/iocell/jails/" + kWeb)) << r.out;
  EXPECT_TRUE(has(r.out, "  note: type jail -> clonejail (a clone of tank/iocage/releases/10.3-RELEASE@" + kDb + ")")) << r.out;
  EXPECT_TRUE(has(r.out, "  not kept: ip4_autostart=10.0.0.100: automatic IPv4 addresses")) << r.out;
  EXPECT_TRUE(has(r.out, "migrated 3 of 3 legacy jails")) << r.out;

  auto web = config_of(cfg(kWeb));
  EXPECT_EQ(web["uuid"], kWeb);
  EXPECT_EQ(web["tag"], "web");
  EXPECT_EQ(web["type"], "thickjail");
  EXPECT_EQ(web["host_hostname"], "web.example.org");
  EXPECT_EQ(web["allow_set_hostname"], "0");
  EXPECT_EQ(web["quota"], "10737418240");
  EXPECT_EQ(web["compression"], "lz4");
  EXPECT_FALSE(web.count("reservation"));  // the default, not the user's choice
  EXPECT_EQ(web["jail_zfs_dataset"], "iocell/jails/" + kWeb + "/root/data");

  auto db = config_of(cfg(kDb));
  EXPECT_EQ(db["type"], "clonejail");
  EXPECT_EQ(db["vnet"], "on");  // "-" meant on
  EXPECT_EQ(db["host_hostname"], "db.example.org");
  EXPECT_EQ(db["jail_zfs_dataset"], "iocell/jails/" + kDb + "/root/data");

  auto tmpl = config_of(cfg(kTmpl));
  EXPECT_EQ(tmpl["template"], "yes");
  EXPECT_EQ(tmpl["notes"], "nginx and php, ready to clone");

  EXPECT_EQ(config_of(root / "defaults.json"), (iocell::core::PropertyValues{{"allow_raw_sockets", "1"}, {"vnet", "on"}}));
}

TEST_F(MigrateIocage, DryRunReadsButChangesNothing) {
  auto r = migrate("iocage_dry_run", {"--dry-run", "--from", "iocage"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "  would run: zfs rename tank/iocage/jails/" + kTmpl + " tank/iocell/templates/" + kTmpl)) << r.out;
  EXPECT_TRUE(has(r.out, "  would run: zfs inherit mountpoint tank/iocell/templates/" + kTmpl)) << r.out;
  EXPECT_TRUE(has(r.out, "  would write " + cfg(kDb).string())) << r.out;
  EXPECT_TRUE(has(r.out, "would set default vnet=on")) << r.out;
  EXPECT_FALSE(fs::exists(cfg(kWeb)));
  EXPECT_FALSE(fs::exists(root / "defaults.json"));
}

TEST_F(MigrateIocage, RunningAndUnmountedJailsStay) {
  auto r = migrate("iocage_refusals", {"--from", "iocage"});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "not migrated: iocage jail " + kWeb + " (web) in tank/iocage/jails/" + kWeb +
                             ": the jail is running (ioc-" + kWeb + "): stop it with iocage stop"))
      << r.out;
  EXPECT_TRUE(has(r.out, "tank/iocage/jails/" + kDb + " is not mounted (zfs mount tank/iocage/jails/" + kDb)) << r.out;
  EXPECT_FALSE(fs::exists(cfg(kWeb)));
  EXPECT_FALSE(fs::exists(cfg(kDb)));
  EXPECT_TRUE(fs::exists(cfg(kTmpl)));
}

TEST_F(MigrateIocage, JailsOfAnotherPoolAreNotMoved) {
  auto r = migrate("iocage_other_pool", {"zroot"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "iocell uses pool tank and zfs rename cannot move zroot/iocage/jails/" + kWeb +
                             " to another pool: run iocell activate zroot first"))
      << r.out;
  EXPECT_TRUE(has(r.out, "note: shell iocell jails are only read from the active pool (tank)")) << r.out;
  EXPECT_FALSE(fs::exists(cfg(kWeb)));
}

TEST_F(MigrateIocage, PythonIocageJailsOnThePoolAreCopiedNotMoved) {
  const std::string u = "c0ffee00-1111-4222-8333-444455556666";
  iocell::test::storage::write(iocage / "jails/www/config.json", R"({"host_hostuuid": "www", "release": "13.2-RELEASE-p4", "boot": 1,
      "type": "jail", "basejail": 0, "priority": "20", "nat": 1, "CONFIG_VERSION": "33"})");
  iocell::test::storage::write(iocage / "jails/www/root/etc/hello", "hi\n");
  iocell::test::storage::write(iocage / "jails/db/config.json", R"({"host_hostuuid": "db", "release": "13.2-RELEASE"})");
  fs::create_directories(iocage / "jails/db/root");
  // The new datasets, as zfs create would have mounted them.
  fs::create_directories(root / "jails" / (".new-" + u) / "root");
  auto r = run_binary(root, {"migrate", "--from", "iocage"},
                      {{"IOCELL_HOST_OS", "freebsd"},
                       {"IOCELL_TRANSCRIPT", std::string(IOCELL_TRANSCRIPT_DIR) + "/migrate/iocage_python.txt"},
                       {"IOCELL_TEST_UUIDS", "d0d0d0d0-1111-4222-8333-444455556666," + u},
                       {"IOCELL_TRANSCRIPT_VARS", "ROOT=" + root.string() + ";IOCAGE=" + iocage.string() + ";U=" + u}});
  ASSERT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "the jail is running (ioc-db): stop it with iocage stop")) << r.out;
  EXPECT_TRUE(has(r.out, "migrated iocage jail " + u + " (www) from " + (iocage / "jails/www").string())) << r.out;
  EXPECT_TRUE(has(r.out, "not kept: nat=1")) << r.out;
  const auto c = config_of(root / "jails" / (".new-" + u) / "config.json");
  EXPECT_EQ(c.at("tag"), "www");
  EXPECT_EQ(c.at("boot"), "on");
  EXPECT_EQ(c.at("priority"), "20");
  EXPECT_EQ(c.at("type"), "thickjail");
  EXPECT_EQ(iocell::test::storage::read(root / "jails" / (".new-" + u) / "root/etc/hello"), "hi\n");
  EXPECT_TRUE(fs::exists(iocage / "jails/www/config.json")) << "iocage's files stay";
}

TEST_F(MigrateIocage, NoIocageDatasetsIsNotFound) {
  auto r = migrate("iocage_missing", {"--from", "iocage"});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "no iocage jails on pool tank: tank/iocage does not exist")) << r.err;
}

}  // namespace
