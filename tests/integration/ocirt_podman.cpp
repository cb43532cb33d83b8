// podman driving iocell-runtime (issue 15): run, exit codes, a detached
// container with exec, stop and rm, a terminal through the console socket.
// As root, in a network and mount namespace of the test's own.
#include <gtest/gtest.h>

#include <signal.h>

#include "support/fetch_run.hpp"
#include "support/linux_env.hpp"
#include "support/podman_world.hpp"
#include "support/temp_dir.hpp"

namespace {

using iocell::test::PodmanWorld;
namespace fs = std::filesystem;

class OciRuntimePodman : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!iocell::test::podman_usable(why)) GTEST_SKIP() << why;
    net = std::make_unique<iocell::test::PrivateNet>();
    scratch = std::make_unique<iocell::test::TempDir>("iocell-ocirt");
    world = std::make_unique<PodmanWorld>(scratch->path());
  }
  void TearDown() override {
    world.reset();
    scratch.reset();
    net.reset();
  }
  iocell::testing::IocellResult podman(const std::vector<std::string>& args) { return world->podman(args); }
  iocell::testing::IocellResult run(const std::vector<std::string>& tail) { return podman(PodmanWorld::run_args(tail)); }
  std::string status_of(const std::string& name) {
    auto r = podman({"ps", "-a", "--filter", "name=^" + name + "$", "--format", "{{.Status}}"});
    return r.out;
  }

  std::unique_ptr<iocell::test::PrivateNet> net;
  std::unique_ptr<iocell::test::TempDir> scratch;
  std::unique_ptr<PodmanWorld> world;
};

TEST_F(OciRuntimePodman, RunPrintsAndExitsZero) {
  auto r = run({"--rm", iocell::test::kPodmanImage, "echo", "hi"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(podman({"ps", "-aq"}).out, "") << "--rm left the container";
}

TEST_F(OciRuntimePodman, ExitStatusReachesPodman) {
  auto r = run({"--rm", iocell::test::kPodmanImage, "sh", "-c", "exit 7"});
  EXPECT_EQ(r.status, 7) << r.err;
}

TEST_F(OciRuntimePodman, ContainerSeesItsOwnRootHostnameAndLimits) {
  auto r = run({"--rm", "--hostname", "boxy", iocell::test::kPodmanImage, "sh", "-c",
                "hostname; ulimit -n; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /bin/busybox; test -e /host-marker || echo clean"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "boxy\n1024\nsh -c hostname; ulimit -n; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /bin/busybox; test -e /host-marker || echo clean \n/bin/busybox\nclean\n");
}

// The default /dev nodes have their real modes whatever the runtime's umask,
// and the process runs as the user it was given.
TEST_F(OciRuntimePodman, NonRootUserGetsAUsableDev) {
  auto r = run({"--rm", "--user", "1000:1000", iocell::test::kPodmanImage, "sh", "-c",
                "id -u; id -g; echo x > /dev/null && echo devnull; head -c 4 /dev/zero | wc -c"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1000\n1000\ndevnull\n4\n");
}

// A create that fails leaves nothing: no state, and no cgroup of the
// container in any hierarchy (its process is gone before the groups go).
TEST_F(OciRuntimePodman, WrongProgramIsReportedAtCreate) {
  auto r = run({"--name", "wrong", iocell::test::kPodmanImage, "/no/such/program"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("/no/such/program"), std::string::npos) << r.err;
  std::string id = podman({"inspect", "--format", "{{.Id}}", "wrong"}).out;
  id = id.substr(0, id.find('\n'));
  ASSERT_FALSE(id.empty());
  EXPECT_FALSE(fs::exists("/run/iocell-runtime/" + id));
  std::error_code ec;
  for (fs::recursive_directory_iterator it("/sys/fs/cgroup", fs::directory_options::skip_permission_denied, ec), end;
       it != end; it.increment(ec)) {
    if (ec) break;
    EXPECT_NE(it->path().filename().string(), "ioc-" + id) << it->path();
  }
}

TEST_F(OciRuntimePodman, DetachedExecStopRemove) {
  auto r = run({"-d", "--name", "web", iocell::test::kPodmanImage, "sleep", "1000"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status_of("web").rfind("Up", 0), 0u) << status_of("web");

  // iocell lists it under a type of its own and refuses to touch it.
  std::string id = r.out.substr(0, r.out.find('\n'));
  const std::vector<std::string> root{"--root", (scratch->path() / "iocell").string()};
  auto iocell = [&](std::vector<std::string> args) {
    args.insert(args.begin(), root.begin(), root.end());
    return iocell::testing::run_program(IOCELL_BINARY, args, {{"IOCELL_STORAGE", "dir"}});
  };
  auto list = iocell({"list", "-H"});
  EXPECT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find(id + "\t-\tup\t-\toci-runtime"), std::string::npos) << list.out;
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"stop", id.substr(0, 12)}, {"destroy", id.substr(0, 12)}, {"set", "notes=x", id}, {"exec", id, "true"}}) {
    auto refused = iocell(cmd);
    EXPECT_EQ(refused.status, 1) << cmd.front() << ": " << refused.err;
    EXPECT_NE(refused.err.find("owned by libpod"), std::string::npos) << refused.err;
  }

  auto e = podman({"exec", "web", "echo", "inexec"});
  EXPECT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(e.out, "inexec\n");
  EXPECT_EQ(podman({"exec", "web", "sh", "-c", "exit 3"}).status, 3);
  // The exec'd process shares the container's pid namespace: it sees sleep as pid 1.
  EXPECT_EQ(podman({"exec", "web", "cat", "/proc/1/comm"}).out, "sleep\n");

  auto s = podman({"stop", "--time", "1", "web"});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(status_of("web").rfind("Exited", 0), 0u) << status_of("web");
  auto rm = podman({"rm", "web"});
  EXPECT_EQ(rm.status, 0) << rm.err;
  EXPECT_EQ(podman({"ps", "-aq"}).out, "");
  EXPECT_EQ(iocell({"list", "-H"}).out.find(id), std::string::npos) << "gone from iocell list with its state";
  // Nothing of it is left running on the host.
  EXPECT_NE(iocell::testing::run_program("/usr/bin/pgrep", {"-f", "^sleep 1000$"}).status, 0);
}

// pause stops every process of the container (SIGSTOP), unpause continues them.
TEST_F(OciRuntimePodman, PauseStopsTheProcessesAndUnpauseContinues) {
  ASSERT_EQ(run({"-d", "--name", "napper", iocell::test::kPodmanImage, "sleep", "1000"}).status, 0);
  const std::string pid = podman({"inspect", "--format", "{{.State.Pid}}", "napper"}).out;
  ASSERT_FALSE(pid.empty());
  auto state = [&] {
    const std::string stat = iocell::test::slurp_file("/proc/" + pid.substr(0, pid.find('\n')) + "/stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
  };
  auto p = podman({"pause", "napper"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(status_of("napper").rfind("Paused", 0), 0u) << status_of("napper");
  EXPECT_EQ(state(), 'T');
  auto u = podman({"unpause", "napper"});
  ASSERT_EQ(u.status, 0) << u.err;
  EXPECT_EQ(status_of("napper").rfind("Up", 0), 0u) << status_of("napper");
  EXPECT_EQ(state(), 'S');
  EXPECT_EQ(podman({"rm", "--force", "--time", "0", "napper"}).status, 0);
}

TEST_F(OciRuntimePodman, TerminalThroughTheConsoleSocket) {
  // script(1) gives podman a terminal; the container's comes from the
  // runtime's pty, whose master went to conmon over --console-socket.
  std::string cmd;
  for (const auto& a : world->base()) cmd += "'" + a + "' ";
  for (const auto& a : PodmanWorld::run_args({"--rm", "-t", iocell::test::kPodmanImage, "sh", "-c", "tty; test -t 0 && echo term"}))
    cmd += "'" + a + "' ";
  auto r = iocell::testing::run_program("/usr/bin/script", {"-qec", "/usr/bin/podman " + cmd, "/dev/null"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("/dev/pts/0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("term"), std::string::npos) << r.out;
}

}  // namespace
