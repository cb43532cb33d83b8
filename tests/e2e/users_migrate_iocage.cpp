// migrate --from iocage of a Python iocage tree (jails/NAME/config.json,
// fstab, root; releases/R/root), made here from the layout iocage writes:
// the jails are copied with their names as tags, the property report names
// what has no equivalent, iocage's tree stays as it was, and the migrated
// jails start (a basejail on the release copied from iocage).
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <iocell/sdk/file_tree.hpp>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;
namespace st = iocell::test::storage;

class MigrateIocageE2E : public DataE2E {
 protected:
  void SetUp() override {
    DataE2E::SetUp();
    fetch();
    iocage = scratch.path() / "iocage";
    const fs::path release = root / "releases" / kRelease / "root";
    fs::create_directories(iocage / "releases" / "13.2-RELEASE");
    iocell::sdk::tree::copy_tree(release, iocage / "releases/13.2-RELEASE/root");

    fs::create_directories(iocage / "jails/www");
    iocell::sdk::tree::copy_tree(release, iocage / "jails/www/root");
    st::write(iocage / "jails/www/root/etc/www-marker", "from iocage\n");
    write_config("www", {{"CONFIG_VERSION", "33"},  {"host_hostuuid", "www"}, {"release", "14.3-RELEASE-p2"},
                         {"type", "jail"},         {"basejail", 0},          {"boot", 1},
                         {"priority", "5"},        {"notes", "web"},         {"allow_raw_sockets", 1},
                         {"nat", 1},               {"nat_forwards", "tcp(80:8080)"},
                         {"resolver", "/etc/resolv.conf"}, {"depends", "pgsql"}, {"vnet", 0},
                         {"defaultrouter", "auto"}, {"comment", "none"},     {"host_time", 1},
                         {"exec_start", "/bin/true"}, {"exec_stop", "/bin/true"}});
    st::write(iocage / "jails/www/fstab", (scratch.path() / "data").string() + " " + (iocage / "jails/www/root/mnt/data").string() +
                                              " nullfs rw 0 0\n" + "/usr/share " + "/elsewhere nullfs ro 0 0\n" +
                                              (iocage / "releases/13.2-RELEASE/root/bin").string() + " " +
                                              (iocage / "jails/www/root/bin").string() + " nullfs ro 0 0 # Added by iocage\n");

    // A basejail: its system directories are empty, iocage mounted them
    // from the release at each start.
    fs::create_directories(iocage / "jails/pgsql");
    iocell::sdk::tree::copy_tree(release, iocage / "jails/pgsql/root");
    for (const char* d : {"bin", "sbin", "lib", "usr/bin", "usr/sbin", "usr/lib"}) {
      const fs::path p = iocage / "jails/pgsql/root" / d;
      if (!fs::is_directory(p) || fs::is_symlink(p)) continue;
      fs::remove_all(p);
      fs::create_directories(p);
    }
    write_config("pgsql", {{"host_hostuuid", "pgsql"}, {"release", "13.2-RELEASE-p4"}, {"basejail", "yes"}, {"boot", "on"},
                           {"exec_start", "/bin/true"}, {"exec_stop", "/bin/true"}});
  }

  void write_config(const std::string& name, const nlohmann::json& j) {
    st::write(iocage / "jails" / name / "config.json", j.dump(4));
  }


  fs::path iocage;
};

TEST_F(MigrateIocageE2E, DryRunPrintsThePlanWithTheReportAndChangesNothing) {
  const auto r = ok({"migrate", "--dry-run", "--from", "iocage", "--path", iocage.string()});
  for (const char* says : {"would migrate iocage jail", "(www) from", "(pgsql) from", "would copy release 13.2-RELEASE",
                           "not kept: nat=1", "not kept: nat_forwards=tcp(80:8080): iocell forwards ports with rdr=",
                           "release 13.2-RELEASE-p4 -> 13.2-RELEASE", "would migrate 2 of 2"})
    EXPECT_NE(r.out.find(says), std::string::npos) << says << " in:\n" << r.out;
  EXPECT_EQ(r.out.find("host_time"), std::string::npos) << "iocage's own defaults are not reported:\n" << r.out;
  EXPECT_EQ(run({"get", "tag", "www"}).code, 3);
  EXPECT_FALSE(fs::exists(root / "releases/13.2-RELEASE"));
}

TEST_F(MigrateIocageE2E, CopiesJailsAndReleasesKeepsIocageIntactAndTheJailsStart) {
  const std::string before = st::read(iocage / "jails/www/config.json");
  const auto r = ok({"migrate", "--from", "iocage", "--path", iocage.string()});
  EXPECT_NE(r.out.find("migrated 2 of 2"), std::string::npos) << r.out;
  const std::string pg = get("uuid", "pgsql");
  EXPECT_EQ(get("type", "www"), "thickjail");
  EXPECT_EQ(get("boot", "www"), "on");
  EXPECT_EQ(get("priority", "www"), "5");
  EXPECT_EQ(get("notes", "www"), "web");
  EXPECT_EQ(get("allow_raw_sockets", "www"), "1");
  EXPECT_EQ(get("depends", "www"), pg) << "iocage's name became the UUID";
  EXPECT_EQ(get("type", "pgsql"), "basejail");
  EXPECT_EQ(get("release", "pgsql"), "13.2-RELEASE");
  EXPECT_EQ(get("boot", "pgsql"), "on");
  EXPECT_TRUE(fs::is_directory(root / "releases/13.2-RELEASE/root/bin")) << "iocage's release was copied";

  const std::string www = get("uuid", "www");
  const std::string fstab = st::read(root / "jails" / www / "fstab");
  EXPECT_NE(fstab.find((root / "jails" / www / "root/mnt/data").string()), std::string::npos) << fstab;
  EXPECT_EQ(fstab.find("/elsewhere"), std::string::npos) << fstab;
  EXPECT_EQ(fstab.find("Added by iocage"), std::string::npos) << fstab;
  EXPECT_NE(r.out.find("not kept: fstab=/usr/share /elsewhere"), std::string::npos) << r.out;

  EXPECT_EQ(st::read(iocage / "jails/www/config.json"), before) << "iocage's files stay as they were";
  EXPECT_TRUE(fs::exists(iocage / "jails/www/root/etc/www-marker"));

  const auto again = ok({"migrate", "--from", "iocage", "--path", iocage.string()});
  EXPECT_NE(again.out.find("already migrated"), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("migrated 2 of 2"), std::string::npos) << again.out;

  if (::geteuid() != 0) return;  // jails start for real as root only
  fs::create_directories(scratch.path() / "data");
  st::write(scratch.path() / "data/shared", "mounted\n");
  ok({"start", "www"});
  EXPECT_EQ(get("state", "pgsql"), "up") << "www depends on pgsql";
  EXPECT_EQ(ok({"exec", "www", "/bin/cat", "/etc/www-marker"}).out, "from iocage\n");
  EXPECT_EQ(ok({"exec", "www", "/bin/cat", "/mnt/data/shared"}).out, "mounted\n") << "the fstab line followed the jail";
  EXPECT_EQ(ok({"exec", "pgsql", "/bin/echo", "base"}).out, "base\n") << "the basejail's /bin comes from the copied release";
}

TEST_F(MigrateIocageE2E, HostileConfigsAreRefusedOneByOneAndLinksAreNeverFollowed) {
  fs::create_directories(iocage / "jails/list");
  fs::create_directories(iocage / "jails/list/root");
  st::write(iocage / "jails/list/config.json", "[1, 2]");
  fs::create_directories(iocage / "jails/nested/root");
  write_config("nested", {{"release", "14.3-RELEASE"}, {"notes", {{"a", 1}}}});
  fs::create_directories(iocage / "jails/linked");
  fs::create_symlink("/", iocage / "jails/linked/root");
  write_config("linked", {{"release", "14.3-RELEASE"}});
  fs::create_directories(iocage / "jails/sneaky/root");
  fs::create_symlink(iocage / "jails/www/config.json", iocage / "jails/sneaky/config.json");
  const auto r = run({"migrate", "--from", "iocage", "--path", iocage.string()});
  EXPECT_EQ(r.code, 4) << "some migrated, some not: " << r.out << r.err;
  EXPECT_NE(r.out.find("not migrated: iocage jail " + (iocage / "jails/list").string() + ": " +
                       (iocage / "jails/list/config.json").string() + " is not a JSON object"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("notes holds object"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("it has no root directory"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("sneaky"), std::string::npos) << "a config.json that is a link is no jail: " << r.out;
  EXPECT_EQ(run({"get", "tag", "linked"}).code, 3);
  EXPECT_EQ(get("notes", "www"), "web");
  EXPECT_EQ(run({"migrate", "--from", "iocage", "--path", "relative/dir"}).code, 2);
  EXPECT_EQ(run({"migrate", "--from", "iocage", "--path", (scratch.path() / "nothing").string()}).code, 3);
  EXPECT_EQ(run({"migrate", "--path", iocage.string()}).code, 2) << "--path goes with --from iocage";
}

}  // namespace
