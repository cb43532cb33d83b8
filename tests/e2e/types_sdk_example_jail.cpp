// The out-of-tree jail type of docs/examples/seed-jail, as a third party
// builds it: `cmake --install` of this build into a prefix, the example
// built with find_package(iocell-sdk) against it, and the installed iocell
// creating (type=seedjail), starting, running a command in, snapshotting,
// cloning and destroying jails of that type on dir storage.
#include <unistd.h>

#include "support/data_e2e.hpp"
#include "support/fetch_run.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::trim;
using iocell::testing::run_program;

class TypesSdkExampleE2E : public iocell::test::data::DataE2E {
 protected:
  void TearDown() override {
    if (!installed.empty() && fs::exists(root / "jails")) seed({"stop", "ALL"});
    DataE2E::TearDown();
  }

  // The installed binary, loading the example's build.
  iocell::test::CliResult seed(std::vector<std::string> args) {
    std::vector<std::string> argv = {"--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_program(installed.string(), argv, {{"IOCELL_PLUGIN_PATH", plugin_dir.string()}, {"IOCELL_STORAGE", "dir"}});
    return {r.status, r.out, r.err};
  }
  iocell::test::CliResult seed_ok(std::vector<std::string> args) { return iocell::test::expect_success(args, seed(args)); }

  fs::path installed, plugin_dir;
};

TEST_F(TypesSdkExampleE2E, AJailTypeFromOutsideTheTreeLivesAWholeLife) {
  const fs::path prefix = scratch.path() / "prefix";
  auto r = run_program("cmake", {"--install", IOCELL_BINARY_DIR, "--prefix", prefix.string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  plugin_dir = scratch.path() / "build-seed";
  r = run_program("cmake", {"-S", std::string(IOCELL_SOURCE_DIR) + "/docs/examples/seed-jail", "-B", plugin_dir.string(),
                            "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_BUILD_TYPE=Release"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  r = run_program("cmake", {"--build", plugin_dir.string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ASSERT_TRUE(fs::exists(plugin_dir / "iocell-seedjail.so"));
  installed = prefix / "sbin/iocell";

  auto plugins = seed_ok({"plugins", "--json"});
  EXPECT_NE(plugins.out.find("\"seedjail\""), std::string::npos) << plugins.out;
  seed_ok({"fetch", std::string("release=") + kRelease, "ftplocaldir=" + mirror.string(), "ftpfiles=base.txz"});

  const std::string u = uuid_in(seed_ok({"create", "type=seedjail", "tag=seeded"}).out);
  EXPECT_EQ(trim(seed_ok({"get", "type", "seeded"}).out), "seedjail");
  EXPECT_EQ(iocell::test::storage::read(jail_root(u) / "etc/seed"), "seedjail " + u + " from " + kRelease + "\n");
  EXPECT_EQ(seed({"create", "type=seedjai", "tag=typo"}).code, 2) << "an unknown type is refused";

  seed_ok({"snapshot", "seeded@first"});
  seed_ok({"clone", "seeded", "tag=sprout"});
  EXPECT_EQ(trim(seed_ok({"get", "type", "sprout"}).out), "seedjail") << "the type says what its clone is";
  if (::geteuid() == 0) {
    seed_ok({"start", "sprout"});
    auto cat = seed_ok({"exec", "sprout", "/bin/cat", "/etc/seed"});
    EXPECT_NE(cat.out.find("seedjail " + u), std::string::npos) << cat.out;
    seed_ok({"stop", "sprout"});
  }
  seed_ok({"destroy", "-f", "sprout"});
  seed_ok({"destroy", "-f", "seeded"});
  EXPECT_FALSE(fs::exists(home(u)));
  if (::geteuid() != 0) GTEST_SKIP() << "start and exec need root; the rest ran";
}

}  // namespace
