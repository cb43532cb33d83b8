// PosixRunner::spawn: a command started and not waited for, optionally held
// at a start gate (the fifo an OCI container's first process waits on).
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include <iocell/core/runners.hpp>

#include "support/temp_dir.hpp"

namespace iocell::core {
namespace {

namespace fs = std::filesystem;

std::string contents(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int exit_status(pid_t pid) {
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(PosixRunnerSpawn, AGatedCommandRunsOnlyOnceTheGateIsWritten) {
  test::TempDir dir("iocell-spawn");
  const fs::path gate = dir.path() / "exec.fifo", out = dir.path() / "out";
  ASSERT_EQ(::mkfifo(gate.c_str(), 0600), 0);
  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(out_fd, 0);
  sdk::Command cmd{"sh", "-c", "echo ran in \"$PWD\" $GREETING"};
  cmd.start_gate = gate.string();
  cmd.stdout_fd = out_fd;
  cmd.cwd = dir.path().string();
  cmd.env = {{"GREETING", "hello"}};
  PosixRunner runner;
  const pid_t pid = runner.spawn(cmd);
  ::close(out_fd);
  ASSERT_GT(pid, 0);

  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "it returned before the gate was written";
  EXPECT_EQ(contents(out), "") << "it ran before the gate was written";

  // What `start` does: a non-blocking open finds the waiting reader.
  const int writer = ::open(gate.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(writer, 0) << "the spawned process holds the gate's read end";
  ASSERT_EQ(::write(writer, "0", 1), 1);
  ::close(writer);
  EXPECT_EQ(exit_status(pid), 0);
  EXPECT_EQ(contents(out), "ran in " + dir.path().string() + " hello\n");
}

TEST(PosixRunnerSpawn, AnUngatedCommandRunsAtOnceAndKeepsNoOtherDescriptor) {
  test::TempDir dir("iocell-spawn");
  const fs::path out = dir.path() / "out";
  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);  // not close-on-exec on purpose
  const int stray = ::open("/dev/null", O_RDONLY);  // inheritable too: it must not reach the child
  ASSERT_GE(out_fd, 0);
  ASSERT_GE(stray, 3);
  sdk::Command cmd{"sh", "-c", "ls /proc/self/fd"};
  cmd.stdout_fd = out_fd;
  PosixRunner runner;
  const pid_t pid = runner.spawn(cmd);
  ::close(out_fd);
  ::close(stray);
  EXPECT_EQ(exit_status(pid), 0);
  // 0, 1, 2 and the descriptor ls opens for the listing, nothing of this process.
  std::istringstream fds(contents(out));
  int count = 0;
  for (std::string fd; fds >> fd;) ++count;
  EXPECT_LE(count, 4) << contents(out);
}

TEST(PosixRunnerSpawn, ATerminalSessionMakesTheTerminalItsControllingOne) {
  int master = -1, slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  // /dev/tty opens only for a process with a controlling terminal, and
  // names that one: the pty, never the test's own.
  sdk::Command cmd{"sh", "-c", "test -t 0 && test -t 1 && test -t 2 && exec 3</dev/tty && echo ctty-ok"};
  cmd.stdin_fd = cmd.stdout_fd = cmd.stderr_fd = slave;
  cmd.terminal_session = true;
  PosixRunner runner;
  const pid_t pid = runner.spawn(cmd);
  ::close(slave);
  EXPECT_EQ(exit_status(pid), 0);
  std::string seen;
  pollfd p{master, POLLIN, 0};
  char buf[256];
  while (::poll(&p, 1, 2000) > 0) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  ::close(master);
  EXPECT_NE(seen.find("ctty-ok"), std::string::npos) << seen;

  sdk::Command without_terminal{"true"};
  without_terminal.terminal_session = true;
  EXPECT_THROW(runner.spawn(without_terminal), std::invalid_argument) << "a session needs its terminal as stdin_fd";
}

TEST(PosixRunnerSpawn, WhatCannotStartIsAnErrorAndNothingIsLeft) {
  PosixRunner runner;
  EXPECT_THROW(runner.spawn(sdk::Command{"/nonexistent/iocell-no-such-program"}), std::runtime_error);
  sdk::Command with_input{"cat"};
  with_input.stdin_data = "x";
  EXPECT_THROW(runner.spawn(with_input), std::invalid_argument);
  sdk::Command gated{"true"};
  gated.start_gate = "/nonexistent/exec.fifo";
  EXPECT_THROW(runner.spawn(gated), std::runtime_error);
  int status = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1) << "no child was started";
}

}  // namespace
}  // namespace iocell::core
