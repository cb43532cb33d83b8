// import --from bastille of a `bastille export --txz` tarball (NAME/
// {jail.conf,fstab,root}), made here as Bastille makes it: the jail arrives
// with its name as tag and jail.conf mapped, what acts on the host only with
// --trust, and hostile archives are refused whole. The stream forms of
// iocage and Bastille are refused on a root whose storage cannot receive
// them (and pinned by transcripts where it can).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <iocell/sdk/file_tree.hpp>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;
namespace st = iocell::test::storage;

class ImportForeignE2E : public DataE2E {
 protected:
  void SetUp() override {
    DataE2E::SetUp();
    fetch();
    exports = scratch.path() / "backups";
    fs::create_directories(exports);
  }

  // bastille export --txz: `tar -cf - NAME | xz` run in the jails directory.
  fs::path bastille_txz(const std::string& name, const std::string& jail_conf, const std::string& extra_tar_args = "") {
    const fs::path jails = scratch.path() / "bastille-jails";
    fs::create_directories(jails / name);
    if (!fs::exists(jails / name / "root")) iocell::sdk::tree::copy_tree(root / "releases" / kRelease / "root", jails / name / "root");
    st::write(jails / name / "root/etc/from-bastille", name + "\n");
    st::write(jails / name / "jail.conf", jail_conf);
    st::write(jails / name / "fstab", "/usr/local/bastille/releases/14.3-RELEASE /usr/local/bastille/jails/" + name + "/root/.bastille nullfs ro 0 0\n");
    const fs::path out = exports / (name + "_2026-12-01-101010.txz");
    const std::string cmd = "tar -C '" + jails.string() + "' -cJf '" + out.string() + "' " + extra_tar_args + " '" + name + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return out;
  }


  fs::path exports;
};

constexpr const char* kConf = R"(web {
  devfs_ruleset = 4;
  enforce_statfs = 2;
  exec.clean;
  exec.consolelog = /var/log/bastille/web_console.log;
  exec.start = '/bin/true';
  exec.stop = '/bin/true';
  exec.prestart = "/usr/local/bin/host-thing";
  host.hostname = web.example.org;
  mount.devfs;
  mount.fstab = /usr/local/bastille/jails/web/fstab;
  path = /usr/local/bastille/jails/web/root;
  securelevel = 2;
  osrelease = 14.3-RELEASE;
  allow.raw_sockets;
  interface = em0;
  ip4.addr = 10.17.89.50;
  ip6 = disable;
  sysvshm = new;
}
)";

TEST_F(ImportForeignE2E, ABastilleTarballBecomesAJailWithItsJailConfMappedAndHostActingPartsHeldBack) {
  const fs::path txz = bastille_txz("web", kConf);
  const auto r = ok({"import", "--from", "bastille", txz.string()});
  EXPECT_NE(r.out.find("Successfully imported"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not taken"), std::string::npos) << "exec_prestart and allow_raw_sockets wait for --trust: " << r.out;
  EXPECT_EQ(get("host_hostname", "web"), "web.example.org");
  EXPECT_EQ(get("release", "web"), "14.3-RELEASE");
  EXPECT_EQ(get("ip6", "web"), "new") << "ip6 is of the privilege class: only with --trust";
  EXPECT_EQ(get("exec_start", "web"), "/bin/true");
  EXPECT_EQ(get("exec_prestart", "web"), "/usr/bin/true") << "a host command from the archive is not taken";
  EXPECT_EQ(get("allow_raw_sockets", "web"), "0");
  EXPECT_EQ(get("ip4_addr", "web"), "none") << "an address on a host interface acts on the host";
  const std::string u = get("uuid", "web");
  EXPECT_EQ(st::read(root / "jails" / u / "fstab"), "") << "Bastille's fstab names the exporting host's paths";
  EXPECT_EQ(read_in("web", "/etc/from-bastille"), "web\n");
  EXPECT_FALSE(fs::exists(root / "jails" / u / "root/web")) << "nothing of the archive's layout is left in the root";

  // Trusted, the host-acting values come along.
  const fs::path again = bastille_txz("web", kConf);
  const auto t = ok({"import", "--from", "bastille", "--trust", "allow_raw_sockets,ip4_addr,ip6", again.string(), "tag=web2"});
  EXPECT_EQ(get("allow_raw_sockets", "web2"), "1");
  EXPECT_EQ(get("ip4_addr", "web2"), "em0|10.17.89.50");
  EXPECT_EQ(get("ip6", "web2"), "disable");
  if (::geteuid() != 0) return;
  ok({"set", "ip4_addr=none", "web2"});
  ok({"start", "web2"});
  EXPECT_EQ(ok({"exec", "web2", "/bin/cat", "/etc/from-bastille"}).out, "web\n");
}

TEST_F(ImportForeignE2E, HostileOrForeignArchivesAreRefusedWholeAndLeaveNothing) {
  // A checksum that does not match.
  const fs::path txz = bastille_txz("web", kConf);
  st::write(exports / "web_2026-12-01-101010.sha256", std::string(64, 'a') + "\n");
  auto r = run({"import", "--from", "bastille", txz.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  fs::remove(exports / "web_2026-12-01-101010.sha256");

  // Two top directories: not what bastille export writes.
  fs::create_directories(scratch.path() / "bastille-jails/other");
  const fs::path two = bastille_txz("web", kConf, "other");
  r = run({"import", "--from", "bastille", two.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("one directory"), std::string::npos) << r.err;

  // An entry that climbs out of the extraction directory.
  const fs::path evil = exports / "evil_2026-12-01.txz";
  const std::string cmd = "cd '" + scratch.path().string() + "' && mkdir -p x && echo pwned > x/p && tar -cJf '" + evil.string() +
                          "' --transform 's|^x|../../escaped|' x/p";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  r = run({"import", "--from", "bastille", evil.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("../"), std::string::npos) << r.err;

  // A jail.conf that is not one block.
  const fs::path broken = bastille_txz("web", "web { host.hostname = x\n");
  r = run({"import", "--from", "bastille", broken.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("jail.conf"), std::string::npos) << r.err;

  // Streams need a storage that receives zfs streams.
  st::write(exports / "db_2026-12-01.xz", "not really\n");
  r = run({"import", "--from", "bastille", (exports / "db_2026-12-01.xz").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot receive them"), std::string::npos) << r.err;
  st::write(exports / "db_2026-12-01.zip", "not really\n");
  r = run({"import", "--from", "iocage", (exports / "db_2026-12-01.zip").string()});
  EXPECT_NE(r.err.find("cannot receive them"), std::string::npos) << r.err;
  EXPECT_EQ(run({"import", "--from", "iocage", (exports / "db_2026-12-01.xz").string()}).code, 2);
  EXPECT_EQ(run({"import", "--from", "bastille", "relative.txz"}).code, 2);
  EXPECT_EQ(run({"import", "--from", "bastille", (exports / "none.txz").string()}).code, 3);

  EXPECT_EQ(ok({"list", "-H"}).out, "") << "nothing half-imported";
  for (const auto& e : fs::directory_iterator(root / "jails")) ADD_FAILURE() << "left behind: " << e.path();
  EXPECT_FALSE(fs::exists(scratch.path() / "escaped"));
}

}  // namespace
