// iocell doctor on this Linux host, end to end with the real binary: one
// line per check from the plugins (namespaces, cgroup controllers, nft) and
// the core (plugins loaded, files skipped and why, storage), a fix under
// each failure, and the same in --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace {

using iocell::test::run_iocell;

class Doctor : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the dir storage of a new root is made by root";
  }
  iocell::test::TempDir dir{"iocell-e2e-doctor"};
  std::filesystem::path root = dir.path() / "root";
  // The test plugins' directory holds one built for another ABI.
  std::map<std::string, std::string> env = {{"IOCELL_STORAGE", "dir"}, {"IOCELL_PLUGIN_PATH", IOCELL_TEST_PLUGIN_DIR}};
};

TEST_F(Doctor, OneLinePerCheckFromEachPluginAndAFixForEachFailure) {
  auto r = run_iocell(root, {"doctor"}, env);
  EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
  for (const char* line : {"namespaces: mnt pid uts ipc net cgroup\n", "cgroup controllers: ", "nftables: ", "plugin linux-ns: loaded from ",
                           "plugin test-good: loaded from ", "storage: dir, jails under "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " in:\n" << r.out;
  // A file skipped is a failure with its reason and a fix.
  const size_t skipped = r.out.find("FAIL  plugin file iocell-test-wrong_abi.so: not loaded: built for plugin ABI");
  ASSERT_NE(skipped, std::string::npos) << r.out;
  EXPECT_EQ(r.out.compare(r.out.find('\n', skipped) + 1, 11, "      fix: "), 0) << r.out;
  EXPECT_EQ(r.code, 1) << "a failed check fails the command";
  // Every line is a check or the fix under one.
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    EXPECT_TRUE(line.rfind("ok    ", 0) == 0 || line.rfind("FAIL  ", 0) == 0 || line.rfind("      fix: ", 0) == 0) << line;
}

TEST_F(Doctor, JsonHasTheSameChecks) {
  auto text = run_iocell(root, {"doctor"}, env);
  auto r = run_iocell(root, {"doctor", "--json"}, env);
  EXPECT_EQ(r.code, text.code);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j.at("ok").get<bool>());
  size_t lines = 0;
  std::istringstream in(text.out);
  for (std::string line; std::getline(in, line);) lines += line.rfind("      fix: ", 0) != 0;
  EXPECT_EQ(j.at("checks").size(), lines);
  bool saw_ns = false;
  for (const auto& c : j.at("checks")) {
    EXPECT_TRUE(c.contains("source") && c.contains("check") && c.contains("ok") && c.contains("detail")) << c.dump();
    EXPECT_EQ(c.contains("fix"), !c.at("ok").get<bool>()) << c.dump();
    if (c.at("check") == "namespaces") {
      saw_ns = true;
      EXPECT_EQ(c.at("source"), "linux-ns");
    }
  }
  EXPECT_TRUE(saw_ns) << r.out;
}

}  // namespace
