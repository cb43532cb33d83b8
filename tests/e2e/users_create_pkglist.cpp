// create pkglist=FILE for a jail with no package tool (an empty jail): the
// command fails, never says "Successfully created", and leaves no jail behind
// (issue 17, item 11). The real binary on `dir` storage.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../../cli/exit_codes.hpp"
#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace {

TEST(CreatePkglist, AJailWhosePackagesCannotBeInstalledIsNotCreated) {
  if (::geteuid() != 0) GTEST_SKIP() << "iocell create needs root";
  iocell::test::TempDir dir{"iocell-e2e-pkglist"};
  const auto root = dir.path() / "root";
  const auto list = dir.path() / "packages.txt";
  std::ofstream(list) << "curl\n";
  auto r = iocell::test::run_iocell(root, {"create", "-e", "tag=pk", "pkglist=" + list.string()}, {{"IOCELL_STORAGE", "dir"}});
  EXPECT_EQ(r.code, iocell::cli::kExitFailure) << r.out << r.err;
  EXPECT_EQ(r.out.find("Successfully created"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("package tool"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("was not created"), std::string::npos) << r.err;
  EXPECT_EQ(iocell::test::run_iocell(root, {"list", "-H"}, {{"IOCELL_STORAGE", "dir"}}).out, "");
}

}  // namespace
