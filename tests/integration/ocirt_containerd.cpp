// containerd's ctr driving iocell-runtime (issue 15): a containerd of the
// test's own (its root, state and socket in a temporary directory, the
// native snapshotter, no CRI), an image imported offline from a
// docker-archive of the busybox rootfs, and `ctr run --runc-binary` through
// iocell-runtime: output, exit codes, a detached task with exec, kill and
// delete. As root, in a network and mount namespace of the test's own.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/fetch_run.hpp"
#include "support/linux_env.hpp"
#include "support/oci_image_builder.hpp"
#include "support/podman_world.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using iocell::testing::IocellResult;

constexpr const char* kImage = "localhost/iocell-ctr:1";

class ContainerdWorld {
 public:
  explicit ContainerdWorld(fs::path dir) : m_dir(std::move(dir)), m_sock(m_dir / "containerd.sock") {
    std::ofstream(m_dir / "config.toml") << "version = 2\n"
                                         << "root = \"" << (m_dir / "root").string() << "\"\n"
                                         << "state = \"" << (m_dir / "state").string() << "\"\n"
                                         << "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                                         << "[grpc]\n  address = \"" << m_sock.string() << "\"\n";
    const std::string log = (m_dir / "containerd.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const std::string config = (m_dir / "config.toml").string();
    const char* argv[] = {"/usr/bin/containerd", "--config", config.c_str(), nullptr};
    const int rc = ::posix_spawn(&m_daemon, argv[0], &actions, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start containerd");
    for (int i = 0; i < 200 && ctr({"version"}).status != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (ctr({"version"}).status != 0) throw std::runtime_error("containerd did not answer: " + log);

    const fs::path rootfs = m_dir / "rootfs";
    iocell::test::build_busybox_root(rootfs);
    const auto layer = iocell::test::oci::layer_of_dir(m_dir / "layer.tar", rootfs);
    iocell::test::oci::write_docker_archive(m_dir / "image.tar", m_dir / "image", {layer},
                                            iocell::test::oci::image_config({{"Cmd", {"sh"}}}), kImage);
    const auto imported = ctr({"images", "import", "--snapshotter", "native", (m_dir / "image.tar").string()});
    if (imported.status != 0) throw std::runtime_error("ctr images import failed: " + imported.err);
  }
  ~ContainerdWorld() {
    // Every task and container goes, whatever the test left; their shims
    // exit with them. Then the daemon.
    std::istringstream ids(ctr({"containers", "list", "-q"}).out);
    for (std::string id; std::getline(ids, id);) {
      ctr({"tasks", "kill", "--signal", "SIGKILL", "--all", id});
      ctr({"tasks", "delete", "--force", id});
      ctr({"containers", "delete", id});
    }
    ::kill(m_daemon, SIGTERM);
    int status = 0;
    ::waitpid(m_daemon, &status, 0);
  }
  ContainerdWorld(const ContainerdWorld&) = delete;
  ContainerdWorld& operator=(const ContainerdWorld&) = delete;

  IocellResult ctr(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--address", m_sock.string(), "--namespace", "iocelltest"});
    return iocell::testing::run_program("/usr/bin/ctr", args);
  }
  /// `ctr run` through iocell-runtime.
  IocellResult run(std::vector<std::string> tail) const {
    std::vector<std::string> args{"run", "--snapshotter", "native", "--runc-binary", iocell::test::iocell_runtime_path()};
    args.insert(args.end(), tail.begin(), tail.end());
    return ctr(args);
  }
  /// `ctr run -t` on a terminal of its own: script(1) gives ctr a pty, as
  /// an admin's shell would (ctr refuses -t without one). The words are
  /// plain (temporary paths, the image name), joined for script's -c.
  IocellResult run_on_terminal(const std::vector<std::string>& tail) const {
    std::string line = "/usr/bin/ctr --address " + m_sock.string() + " --namespace iocelltest run --snapshotter native --runc-binary " +
                       iocell::test::iocell_runtime_path() + " --tty";
    for (const auto& w : tail) line += " " + w;
    return iocell::testing::run_program("/usr/bin/script", {"--quiet", "--return", "--command", line, "/dev/null"});
  }
  /// The STATUS column of `ctr tasks list` for `id`, "" when it has no task.
  std::string task_status(const std::string& id) const {
    std::istringstream lines(ctr({"tasks", "list"}).out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string task, pid, status;
      words >> task >> pid >> status;
      if (task == id) return status;
    }
    return "";
  }

 private:
  fs::path m_dir, m_sock;
  pid_t m_daemon = -1;
};

class OciRuntimeContainerd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (iocell::test::busybox_path().empty()) GTEST_SKIP() << "needs busybox-static";
    if (::access("/usr/bin/containerd", X_OK) != 0 || ::access("/usr/bin/ctr", X_OK) != 0)
      GTEST_SKIP() << "containerd is not installed (tests/host-setup.sh)";
    net = std::make_unique<iocell::test::PrivateNet>();
    scratch = std::make_unique<iocell::test::TempDir>("iocell-ctr");
    world = std::make_unique<ContainerdWorld>(scratch->path());
  }
  void TearDown() override {
    world.reset();
    scratch.reset();
    net.reset();
  }
  std::unique_ptr<iocell::test::PrivateNet> net;
  std::unique_ptr<iocell::test::TempDir> scratch;
  std::unique_ptr<ContainerdWorld> world;
};

TEST_F(OciRuntimeContainerd, RunPrintsAndPassesTheExitCodeBack) {
  auto r = world->run({"--rm", kImage, "c1", "echo", "hi"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  r = world->run({"--rm", kImage, "c2", "sh", "-c", "exit 7"});
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_EQ(world->ctr({"containers", "list", "-q"}).out, "") << "--rm left a container";
}

TEST_F(OciRuntimeContainerd, DetachedTaskExecKillDelete) {
  // The task is its pid namespace's init, which the kernel spares every
  // signal it has no handler for: it traps TERM.
  auto r = world->run({"--detach", kImage, "web", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(world->task_status("web"), "RUNNING");

  r = world->ctr({"tasks", "exec", "--exec-id", "probe", "web", "sh", "-c", "echo inside; exit 3"});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_EQ(r.out, "inside\n");
  EXPECT_EQ(world->task_status("web"), "RUNNING") << "an exec leaves the task as it was";

  r = world->ctr({"tasks", "kill", "--signal", "SIGTERM", "web"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (int i = 0; i < 100 && world->task_status("web") != "STOPPED"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(world->task_status("web"), "STOPPED");
  r = world->ctr({"tasks", "delete", "web"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(world->task_status("web"), "");
  r = world->ctr({"containers", "delete", "web"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(world->ctr({"containers", "list", "-q"}).out, "");
}

TEST_F(OciRuntimeContainerd, ATerminalReachesTheTaskThroughTheConsoleSocket) {
  if (::access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "needs script(1) (bsdutils)";
  auto r = world->run_on_terminal({"--rm", kImage, "tty1", "sh", "-c", "'test -t 0 && test -t 1 && echo on-a-tty; exit 5'"});
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("on-a-tty"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(world->ctr({"containers", "list", "-q"}).out, "");
}

}  // namespace
