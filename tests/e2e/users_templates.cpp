// Patching a template, as a user does it: turn it back into a jail, change
// it, make it a template again, while its clones keep working; and
// `set template=... ALL`, which must reach templates (issue 17, item 7).
// The real binary on `dir` storage with empty jails.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using iocell::test::CliResult;
using iocell::test::run_iocell;
using iocell::test::trim;

namespace {

class PatchTemplate : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "iocell create needs root";
    ASSERT_EQ(run({"create", "-e", "tag=tpl"}).code, 0);
    ASSERT_EQ(run({"set", "template=yes", "tpl"}).code, 0);
  }
  iocell::test::TempDir dir{"iocell-e2e-templates"};
  fs::path root = dir.path() / "root";

  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args), {{"IOCELL_STORAGE", "dir"}}); }
};

TEST_F(PatchTemplate, ATemplateWithClonesTurnsIntoAJailAndBack) {
  auto c = run({"clone", "tpl", "tag=web"});
  ASSERT_EQ(c.code, 0) << c.err;

  auto back = run({"set", "template=no", "tpl"});
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_EQ(trim(run({"get", "template", "tpl"}).out), "no");
  auto s = run({"start", "web"});
  EXPECT_EQ(s.code, 0) << "the clone keeps working: " << s.err;
  EXPECT_EQ(run({"stop", "web"}).code, 0);

  auto again = run({"set", "template=yes", "tpl"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(trim(run({"get", "template", "tpl"}).out), "yes");
  s = run({"start", "web"});
  EXPECT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(run({"stop", "web"}).code, 0);
}

TEST_F(PatchTemplate, TemplateNoAllReachesTemplates) {
  ASSERT_EQ(run({"create", "-e", "tag=plain"}).code, 0);
  auto r = run({"set", "template=no", "ALL"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(trim(run({"get", "template", "tpl"}).out), "no");
  EXPECT_NE(run({"list", "-H"}).out.find("\ttpl\t"), std::string::npos);
  EXPECT_EQ(trim(run({"get", "template", "plain"}).out), "no");
}

}  // namespace
