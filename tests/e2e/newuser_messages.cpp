// What a new user meets first, end to end with the real binary on `dir`
// storage: messages that point to the right command, and values refused at
// `set` rather than at the next start.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "../../cli/exit_codes.hpp"
#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using iocell::test::CliResult;
using iocell::test::run_iocell;
using iocell::test::trim;

namespace {

class NewUser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "iocell create needs root";
    auto r = run({"create", "-e", "tag=www"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  iocell::test::TempDir dir{"iocell-e2e-newuser"};
  fs::path root = dir.path() / "root";

  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args), {{"IOCELL_STORAGE", "dir"}}); }
};

TEST_F(NewUser, GetOfTheDefaultKeywordPointsToDefaults) {
  ASSERT_EQ(run({"set", "vnet=off", "default"}).code, 0);
  for (const char* prop : {"vnet", "all"}) {
    auto r = run({"get", prop, "default"});
    EXPECT_EQ(r.code, iocell::cli::kExitUsage) << prop;
    EXPECT_NE(r.err.find("iocell defaults"), std::string::npos) << prop << ": " << r.err;
  }
  EXPECT_NE(run({"get", "vnet", "default"}).err.find("grep '^vnet='"), std::string::npos);
}

}  // namespace
