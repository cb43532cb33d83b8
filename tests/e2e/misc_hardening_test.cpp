// Hardening of the root's layout, of tags and targets, of host names, of
// `list` and of destroy, end to end with the real binary on `dir` storage.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <iocell/core/config_store.hpp>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using iocell::test::CliResult;
using iocell::test::run_iocell;
using iocell::test::trim;

namespace {

class Hardening : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "iocell create needs root";
  }
  iocell::test::TempDir dir{"iocell-e2e-hardening"};
  fs::path root = dir.path() / "root";

  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args)); }
  std::string create(std::vector<std::string> args) {
    args.insert(args.begin(), "create");
    auto r = run(args);
    EXPECT_EQ(r.code, 0) << r.err;
    auto pos = r.out.find("Successfully created: ");
    EXPECT_NE(pos, std::string::npos) << r.out;
    return pos == std::string::npos ? "" : r.out.substr(pos + 22, 36);
  }
  // iocell as root without the capabilities that let root read what its
  // modes forbid: how a directory is unreadable to root.
  CliResult run_without_dac(std::vector<std::string> args) {
    std::vector<std::string> argv = {"setpriv", "--bounding-set", "-dac_override,-dac_read_search", IOCELL_BINARY,
                                     "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    iocell::sdk::Command cmd(argv);
    cmd.timeout = std::chrono::seconds(120);
    iocell::core::PosixRunner runner;
    auto res = runner.run(cmd);
    return CliResult{res.exit_code, res.out, res.err};
  }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
};

const char* const kTrees[] = {"jails", "templates", "releases", "download", "packages", "images", "log", "base", ".locks"};

TEST_F(Hardening, EveryTreeOfANewRootIsClosedToOtherUsers) {
  create({"-e", "tag=web"});
  EXPECT_EQ(mode_of(root), 0700u);
  for (const char* d : kTrees) EXPECT_EQ(mode_of(root / d), 0700u) << d;
}

// A root laid out by an older iocell had 0755 trees (releases with setuid
// binaries among them); the next command closes them, and leaves the root
// itself, which it did not make, as it was.
TEST_F(Hardening, AnOlderRootIsClosedByTheNextCommand) {
  fs::create_directories(root);
  ::chmod(root.c_str(), 0755);
  for (const char* d : kTrees) {
    fs::create_directories(root / d);
    ::chmod((root / d).c_str(), 0755);
  }
  create({"-e", "tag=web"});
  for (const char* d : kTrees) EXPECT_EQ(mode_of(root / d), 0700u) << d;
  EXPECT_EQ(mode_of(root), 0755u);
}

TEST_F(Hardening, TagsThatCouldBeginAUuidAreRefusedAtCreateAndSet) {
  auto r = run({"create", "-e", "tag=cafe"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("'cafe'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("beginning of a jail's UUID"), std::string::npos) << r.err;
  EXPECT_EQ(run({"list", "-H"}).out, "");

  const std::string u = create({"-e", "tag=web"});
  r = run({"set", "tag=0a1b2c3d-4e", "web"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("'0a1b2c3d-4e'"), std::string::npos) << r.err;
  EXPECT_EQ(trim(run({"get", "tag", u}).out), "web");
}

// Jails made before such tags were refused may carry one: a word that
// begins a UUID still names that jail, and the tag only what no UUID
// begins with.
TEST_F(Hardening, AUuidPrefixWinsOverAnOlderJailsTag) {
  const std::string a = create({"-e", "tag=alpha"});
  const std::string b = create({"-e", "tag=bravo"});
  const fs::path b_config = root / "jails" / b / "config.json";
  auto props = iocell::core::read_config(b_config);
  props["tag"] = a.substr(0, 8);
  iocell::core::write_config(b_config, props);
  EXPECT_EQ(trim(run({"get", "uuid", a.substr(0, 8)}).out), a);

  // A hex word no UUID here begins with: the older tag still finds its jail.
  std::string other = a.substr(0, 8);
  for (char c : std::string("0123456789abcdef")) {
    other[0] = c;
    if (a.compare(0, 8, other) != 0 && b.compare(0, 8, other) != 0) break;
  }
  props["tag"] = other;
  iocell::core::write_config(b_config, props);
  EXPECT_EQ(trim(run({"get", "uuid", other}).out), b);
}

// Linux takes 64 bytes (sethostname); the grammar alone let 100 through to
// fail at the next start.
TEST_F(Hardening, AHostNameLongerThanTheRuntimeTakesIsRefusedWhenSet) {
  const std::string u = create({"-e", "tag=web"});
  const std::string longest(64, 'h'), too_long(65, 'h');
  EXPECT_EQ(run({"set", "host_hostname=" + longest, "web"}).code, 0);
  auto r = run({"set", "host_hostname=" + too_long, "web"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("'" + too_long + "'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at most 64 characters with the linux-ns runtime"), std::string::npos) << r.err;
  EXPECT_EQ(trim(run({"get", "host_hostname", "web"}).out), longest);

  r = run({"create", "-e", "tag=sql", "host_hostname=" + too_long});
  EXPECT_EQ(r.code, 2) << r.err;
  // With count, the numbered names are what must fit.
  r = run({"create", "-e", "tag=sql", "count=2", "host_hostname=" + std::string(63, 'h')});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(std::string(63, 'h') + "_2"), std::string::npos) << r.err;
  r = run({"clone", "web", "tag=sql", "host_hostname=" + too_long});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(run({"list", "-H"}).out.find("\tsql\t"), std::string::npos);
}

TEST_F(Hardening, ListNamesWhatItCannotReadAndFails) {
  const std::string a = create({"-e", "tag=alpha"});
  const std::string b = create({"-e", "tag=bravo"});
  ASSERT_EQ(run_without_dac({"list", "-H"}).code, 0) << "setpriv cannot drop capabilities here";

  ASSERT_EQ(::chmod((root / "jails" / a).c_str(), 0), 0);
  auto r = run_without_dac({"list", "-H"});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.out.find(b), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(a), std::string::npos) << r.out;
  EXPECT_NE(r.err.find((root / "jails" / a).string()), std::string::npos) << r.err;

  ::chmod((root / "jails" / a).c_str(), 0755);
  ASSERT_EQ(::chmod((root / "jails").c_str(), 0), 0);
  r = run_without_dac({"list", "-H"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("cannot read " + (root / "jails").string()), std::string::npos) << r.err;
  ::chmod((root / "jails").c_str(), 0700);
}

// The snapshot a clone was made from may be gone (removed by hand, lost
// with a disk): the clone must still be destroyable.
TEST_F(Hardening, ACloneWhoseOriginSnapshotIsGoneCanBeDestroyed) {
  create({"-e", "tag=src"});
  auto r = run({"clone", "src", "tag=copy"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string c = r.out.substr(r.out.find("Successfully created: ") + 22, 36);
  // As after a reboot: the clone's root not mounted, and its origin gone.
  ::umount2((root / "jails" / c / "root").c_str(), MNT_DETACH);
  bool removed = false;
  for (const auto& e : fs::recursive_directory_iterator(root / ".snapshots"))
    if (e.path().filename() == c) {
      fs::remove_all(e.path());
      removed = true;
      break;
    }
  ASSERT_TRUE(removed) << "no origin snapshot named " << c;

  r = run({"destroy", "-f", "copy"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(c), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root / "jails" / c));
  EXPECT_EQ(run({"list", "-H"}).out.find("copy"), std::string::npos);
  EXPECT_EQ(run({"destroy", "-f", "src"}).code, 0);
}

}  // namespace
