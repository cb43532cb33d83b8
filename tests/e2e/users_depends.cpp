// The depends property: jails started before the jail that names them,
// awaited until their healthcheck succeeds, stopped after it; cycles and
// unknown jails refused at set and create.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;
namespace st = iocell::test::storage;

class DependsE2E : public DataE2E {
 protected:
  void SetUp() override {
    DataE2E::SetUp();
    fetch();
  }


  // A host hook that appends WORD to the test's journal of events.
  std::string journal_hook(const std::string& word) const { return "/bin/sh -c 'echo " + word + " >> " + journal().string() + "'"; }
  fs::path journal() const { return scratch.path() / "journal"; }
  std::string events() const { return fs::exists(journal()) ? st::read(journal()) : ""; }
};

TEST_F(DependsE2E, SetStoresUuidsAndRefusesUnknownSelfTemplatesAndCycles) {
  const std::string db = create({"tag=pg"});
  const std::string web = create({"tag=web"});
  const std::string cache = create({"tag=cache"});
  create({"tag=tmpl"});
  ok({"set", "template=yes", "tmpl"});

  ok({"set", "depends=pg," + cache.substr(0, 8), "web"});
  EXPECT_EQ(get("depends", "web"), db + "," + cache) << "tags and prefixes are stored as UUIDs: a retag keeps the link";
  ok({"set", "tag=postgres", "pg"});
  EXPECT_EQ(get("depends", "web"), db + "," + cache);

  auto refused = [&](const std::vector<std::string>& args, int code, const std::string& says) {
    const auto r = run(args);
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };
  refused({"set", "depends=nosuch", "cache"}, 3, "nosuch");
  refused({"set", "depends=web", "web"}, 2, "itself");
  refused({"set", "depends=tmpl", "cache"}, 2, "template");
  refused({"set", "depends=postgres,postgres", "cache"}, 2, "named twice");
  refused({"set", "depends=a,,b", "cache"}, 2, "empty item");
  refused({"set", "depends=web", "postgres"}, 2, "postgres -> web -> postgres");
  ok({"set", "depends=postgres", "cache"});
  refused({"set", "depends=web", "postgres"}, 2, "cycle");
  refused({"set", "depends=postgres", "default"}, 2, "per jail");
  EXPECT_EQ(get("depends", "postgres"), "none") << "a refused value changes nothing";
  ok({"set", "depends=none", "web"});
  EXPECT_EQ(get("depends", "web"), "none");

  const std::string app = create({"tag=app", "depends=web,postgres"});
  EXPECT_EQ(get("depends", "app"), web + "," + db);
  const auto r = run({"create", "tag=orphan", "depends=nosuch"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(run({"get", "tag", "orphan"}).code, 3) << "nothing is created when a dependency is unknown";
}

TEST_F(DependsE2E, StartsDependenciesFirstWaitsForTheirHealthcheckAndStopsThemLast) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: jails start for real";
  const std::string db = create({"tag=pg"});
  create({"tag=web"});
  // db becomes ready a moment after its exec_start returns; web's prestart
  // (on the host) fails unless db was awaited until then.
  ok({"set", "exec_start=/bin/sh -c '(sleep 2; touch /ready) &'", "healthcheck=[ -f /ready ]", "healthcheck_timeout=20",
      "exec_poststop=" + journal_hook("pg-stopped"), "pg"});
  ok({"set", "depends=pg", "exec_prestart=test -f " + jail_root(db).string() + "/ready",
      "exec_poststop=" + journal_hook("web-stopped"), "web"});

  const auto started = ok({"start", "web"});
  EXPECT_NE(started.out.find("(pg) started: web depends on it"), std::string::npos) << started.out;
  EXPECT_EQ(get("state", "pg"), "up");
  EXPECT_EQ(get("state", "web"), "up");

  ok({"restart", "web"});  // a dependency that runs is only awaited
  EXPECT_EQ(get("state", "pg"), "up");

  const auto alone = ok({"stop", "pg"});
  EXPECT_NE(alone.err.find("depends on"), std::string::npos) << "stopping a dependency alone warns: " << alone.err;
  ok({"stop", "web"});
  fs::remove(journal());

  ok({"start", "web"});
  ok({"stop", "pg", "web"});
  EXPECT_EQ(events(), "web-stopped\npg-stopped\n") << "the jail stops before what it depends on, whatever the order given";
}

TEST_F(DependsE2E, AnUnhealthyDependencyRefusesTheStartAfterItsTimeout) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: jails start for real";
  create({"tag=pg"});
  create({"tag=web", "depends=pg"});
  ok({"set", "healthcheck=false", "healthcheck_timeout=1", "pg"});
  const auto r = run({"start", "web"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("healthcheck 'false' still exits 1"), std::string::npos) << r.err;
  EXPECT_EQ(get("state", "web"), "down");
  EXPECT_EQ(get("state", "pg"), "up") << "the dependency stays up for the admin to look at";
}

TEST_F(DependsE2E, RcbootStartsDependenciesBeforeLowerPrioritiesAndRcshutdownStopsThemLast) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: jails start for real";
  create({"tag=pg", "boot=on", "priority=50"});
  create({"tag=web", "boot=on", "priority=1", "depends=pg"});
  create({"tag=other", "boot=on", "priority=10"});
  for (const char* j : {"pg", "web", "other"})
    ok({"set", "exec_poststart=" + journal_hook(std::string(j) + "-up"), "exec_poststop=" + journal_hook(std::string(j) + "-down"), j});
  ok({"rcboot"});
  EXPECT_EQ(events(), "pg-up\nweb-up\nother-up\n") << "web (priority 1) waits for pg (priority 50); other keeps its place";
  fs::remove(journal());
  ok({"rcshutdown"});
  EXPECT_EQ(events(), "other-down\nweb-down\npg-down\n");
}

}  // namespace
