// snapshot, snaplist, snapremove, rollback, clone from a snapshot, promote:
// the real binary on dir storage.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/data_e2e.hpp"

using iocell::test::storage::read;
using iocell::test::storage::write;
using iocell::test::trim;

namespace {

class DataSnapshotsE2E : public iocell::test::data::DataE2E {};

TEST_F(DataSnapshotsE2E, SnapshotListRollbackAndRemoveOnAnEmptyJail) {
  const std::string u = create({"-e", "tag=www"});
  write(jail_root(u) / "data.txt", "v1\n");
  auto s = ok({"snapshot", "www@first"});
  EXPECT_NE(s.out.find(u + "@first"), std::string::npos) << s.out;
  write(jail_root(u) / "data.txt", "v2\n");
  write(jail_root(u) / "later.txt", "later\n");
  ok({"set", "notes=after-first", "www"});
  auto dflt = ok({"snapshot", "www"});
  EXPECT_TRUE(std::regex_search(dflt.out, std::regex(u + "@ioc-[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{2}:[0-9]{2}:[0-9]{2} created")))
      << dflt.out;

  auto names = snapshot_names("www");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "first") << "oldest first";
  auto human = ok({"snaplist", "www"}).out;
  EXPECT_EQ(human.rfind("NAME", 0), 0u) << human;
  EXPECT_NE(human.find("RSIZE"), std::string::npos);
  auto j = nlohmann::json::parse(ok({"snaplist", "--json", "www"}).out);
  ASSERT_EQ(j["snapshots"].size(), 2u);
  EXPECT_EQ(j["snapshots"][0]["name"], "first");
  EXPECT_TRUE(j["snapshots"][0]["created"].is_number_integer()) << j.dump();
  EXPECT_TRUE(j["snapshots"][0]["rsize"].is_number_integer()) << j.dump();
  EXPECT_TRUE(j["snapshots"][0]["used"].is_number_integer()) << j.dump();

  ok({"rollback", "www@first"});
  EXPECT_EQ(read(jail_root(u) / "data.txt"), "v1\n");
  EXPECT_FALSE(std::filesystem::exists(jail_root(u) / "later.txt"));
  // The home went back too: the notes set after the snapshot are gone.
  EXPECT_EQ(trim(ok({"get", "notes", "www"}).out), "none");
  EXPECT_EQ(snapshot_names("www"), std::vector<std::string>{"first"}) << "later snapshots are discarded";

  EXPECT_EQ(run({"snapremove", "www@nosuch"}).code, 3);
  EXPECT_EQ(run({"rollback", "www"}).code, 2) << "rollback needs TARGET@SNAPSHOT";
  EXPECT_EQ(run({"snapshot", "www@bad/name"}).code, 2);
  ok({"snapshot", "www@second"});
  ok({"snapremove", "www@ALL"});
  EXPECT_TRUE(snapshot_names("www").empty());
}

TEST_F(DataSnapshotsE2E, CloneFromASnapshotHasTheSnapshotsContent) {
  fetch();
  const std::string u = create({"-c", "tag=src"});
  write_in("src", "/etc/app.conf", "snapshot version\n");
  ok({"snapshot", "src@v1"});
  write_in("src", "/etc/app.conf", "current version\n");
  const std::string c = uuid_in(ok({"clone", "src@v1", "tag=fromsnap"}).out);
  EXPECT_EQ(read_in("fromsnap", "/etc/app.conf"), "snapshot version\n");
  EXPECT_EQ(read_in("src", "/etc/app.conf"), "current version\n");
  const std::string now = uuid_in(ok({"clone", "src", "tag=fromnow"}).out);
  EXPECT_EQ(read_in("fromnow", "/etc/app.conf"), "current version\n");
}

TEST_F(DataSnapshotsE2E, PromotedCloneOutlivesItsFormerSource) {
  fetch();
  const std::string src = create({"-c", "tag=src"});
  write_in("src", "/etc/app.conf", "from the source\n");
  const std::string c = uuid_in(ok({"clone", "src", "tag=child"}).out);
  auto refused = run({"destroy", "-f", "src"});
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.err.find("child"), std::string::npos) << "names the clone: " << refused.err;

  auto p = ok({"promote", "child"});
  EXPECT_NE(p.out.find("promoted"), std::string::npos) << p.out;
  EXPECT_EQ(run({"promote", "child"}).code, 1) << "a promoted jail is no clone any more";
  ok({"destroy", "-f", "src"});
  EXPECT_FALSE(std::filesystem::exists(home(src)));
  EXPECT_EQ(read(jail_root(c) / "etc/app.conf"), "from the source\n") << "a promoted clone is a plain directory";
  ok({"start", "child"});
  auto r = ok({"exec", "child", "/bin/cat", "/etc/app.conf"});
  EXPECT_NE(r.out.find("from the source"), std::string::npos) << r.out;
  ok({"stop", "child"});
  ok({"snapshot", "child@after"});
  ok({"destroy", "-f", "child"});
}

// Whether a process of that name runs within a few seconds (its /proc/PID/comm).
bool process_appears(const std::string& comm) {
  for (int tries = 0; tries < 100; ++tries) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
      std::ifstream in(e.path() / "comm");
      std::string name;
      if (std::getline(in, name) && name == comm) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_F(DataSnapshotsE2E, RunningJailsDatabasesAndRollback) {
  fetch();
  const std::string u = create({"-c", "tag=sql"});
  // A server whose process is named mysqld (the shell keeps the script's name).
  write_in("sql", "/bin/mysqld", "#!/bin/sh\nwhile :; do sleep 1; done\n", "755");
  write_in("sql", "/etc/state", "before\n");
  ok({"snapshot", "sql@before"});
  write_in("sql", "/etc/state", "after\n");
  ok({"start", "sql"});
  ok({"exec", "sql", "/bin/sh", "-c", "/bin/mysqld </dev/null >/dev/null 2>&1 &"});
  // The exec returns once the shell has put the server in the background,
  // maybe before it runs: the snapshot must see it.
  ASSERT_TRUE(process_appears("mysqld")) << "the server never started";
  auto refused = run({"snapshot", "sql@live"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("mysqld"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("snapshot -f"), std::string::npos) << refused.err;
  ok({"snapshot", "-f", "sql@live"});

  auto running = run({"rollback", "sql@before"});
  EXPECT_EQ(running.code, 1);
  EXPECT_NE(running.err.find("rollback -f"), std::string::npos) << running.err;
  EXPECT_EQ(read(jail_root(u) / "etc/state"), "after\n");
  ok({"rollback", "-f", "sql@before"});
  EXPECT_EQ(trim(ok({"get", "state", "sql"}).out), "up") << "started again after the rollback";
  auto r = ok({"exec", "sql", "/bin/cat", "/etc/state"});
  EXPECT_EQ(r.out, "before\n");
  ok({"stop", "sql"});
}

TEST_F(DataSnapshotsE2E, UpdateAndUpgradeAreRefusedOnLinux) {
  fetch();
  create({"-c", "tag=www"});
  for (auto cmd : {"update", "upgrade"}) {
    auto r = run({cmd, "www"});
    EXPECT_EQ(r.code, 1) << cmd;
    EXPECT_NE(r.err.find("this Linux host has no FreeBSD userland"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(snapshot_names("www").empty()) << "no back-out snapshot was left";
}

}  // namespace
