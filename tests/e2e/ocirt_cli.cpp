// iocell-runtime's command line (the iocell binary called by that name):
// version, features, errors in runc's --log form, exit codes, refusals that
// leave nothing behind. No root needed: nothing here starts a container.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/fetch_run.hpp"
#include "support/podman_world.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class OciRuntimeCli : public ::testing::Test {
 protected:
  iocell::testing::IocellResult rt(std::vector<std::string> args) {
    return iocell::testing::run_program(iocell::test::iocell_runtime_path(), args);
  }
  std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  iocell::test::TempDir dir{"iocell-ocirt-cli"};
  fs::path root() { return dir.path() / "state"; }
  fs::path log() { return dir.path() / "log.json"; }
};

TEST_F(OciRuntimeCli, VersionAndFeatures) {
  auto v = rt({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("iocell-runtime version ", 0), 0u) << v.out;
  auto f = rt({"features"});
  ASSERT_EQ(f.status, 0) << f.err;
  const json j = json::parse(f.out);
  EXPECT_EQ(j.at("ociVersionMin"), "1.0.0");
  EXPECT_EQ(j.at("linux").at("cgroup").at("systemd"), false);
}

TEST_F(OciRuntimeCli, ErrorsGoToTheLogAsRuncWritesThem) {
  auto r = rt({"--root", root().string(), "--log", log().string(), "--log-format", "json", "state", "nosuch"});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("container nosuch does not exist"), std::string::npos) << r.err;
  std::istringstream lines(read(log()));
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const json j = json::parse(line);
  EXPECT_EQ(j.at("level"), "error");
  EXPECT_EQ(j.at("msg"), "container nosuch does not exist");
  EXPECT_TRUE(j.contains("time"));
}

TEST_F(OciRuntimeCli, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--systemd-cgroup", "state", "x"},
           {"--log-format", "xml", "state", "x"},
           {"state"},
           {"frobnicate", "x"},
           {"kill", "x", "BOGUS"},
           {"create", "--bundle", "/nonexistent", "../escape"},
           {"create", "--preserve-fds", "2", "--bundle", "/nonexistent", "x"}}) {
    std::vector<std::string> full{"--root", root().string()};
    full.insert(full.end(), args.begin(), args.end());
    auto r = rt(full);
    EXPECT_EQ(r.status, 2) << args.front() << ": " << r.err;
  }
  auto sd = rt({"--systemd-cgroup", "state", "x"});
  EXPECT_NE(sd.err.find("--cgroup-manager cgroupfs"), std::string::npos) << sd.err;
}

TEST_F(OciRuntimeCli, RefusedBundleLeavesNoState) {
  const fs::path bundle = dir.path() / "bundle";
  fs::create_directories(bundle / "rootfs");
  std::ofstream(bundle / "config.json") << R"({"ociVersion":"1.0.2","root":{"path":"rootfs"},
      "process":{"args":["/bin/true"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"mount"}],"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}]}})";
  auto r = rt({"--root", root().string(), "--log", log().string(), "--log-format", "json", "create", "--bundle",
               bundle.string(), "--pid-file", (dir.path() / "pid").string(), "c1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(read(log()).find("linux.uidMappings"), std::string::npos) << read(log());
  EXPECT_FALSE(fs::exists(root() / "c1"));
  EXPECT_FALSE(fs::exists(dir.path() / "pid"));
}

TEST_F(OciRuntimeCli, ForcedDeleteOfWhatIsGoneSucceeds) {
  EXPECT_EQ(rt({"--root", root().string(), "delete", "--force", "gone"}).status, 0);
  EXPECT_EQ(rt({"--root", root().string(), "delete", "gone"}).status, 3);
}

}  // namespace
