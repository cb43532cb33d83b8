// PosixRunner's interactive commands (jexec for exec and console on
// FreeBSD) get a terminal of their own relayed by iocell, never the
// caller's: tests/helpers/jail_probe.cpp tries TIOCSTI and a background
// read from the command's side.
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include <iocell/core/runners.hpp>

#include "support/temp_dir.hpp"

#ifdef IOCELL_JAIL_PROBE

using namespace iocell;
using namespace std::chrono_literals;

namespace {

struct Outcome {
  std::string out;
  int exit_code = -1;
  int queued = -1;  ///< bytes waiting in the caller's terminal input afterwards
};

// Runs cmd through PosixRunner in a child whose controlling terminal and
// fds 1, 2 (and 0 unless stdin_pipe) are a pty of the test's.
Outcome run_on_terminal(const sdk::Command& cmd, bool stdin_pipe, const std::string& typed_after = "") {
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty");
  int in[2];
  if (::pipe(in) != 0) throw std::runtime_error("pipe");
  const pid_t child = ::fork();
  if (child == 0) {
    ::setsid();
    ::ioctl(slave, TIOCSCTTY, 0);
    ::dup2(stdin_pipe ? in[0] : slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    ::close(in[1]);
    try {
      core::PosixRunner r;
      ::_exit(r.run(cmd).exit_code);
    } catch (...) {
      ::_exit(99);
    }
  }
  ::close(in[0]);
  ::close(in[1]);
  Outcome o;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n > 0) o.out.append(buf, static_cast<size_t>(n));
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
      break;
    }
  }
  if (!typed_after.empty() && ::write(master, typed_after.data(), typed_after.size()) < 0) o.out += "<write failed>";
  ::ioctl(slave, FIONREAD, &o.queued);
  ::close(master);
  ::close(slave);
  return o;
}

sdk::Command interactive(std::vector<std::string> argv) {
  sdk::Command cmd(std::move(argv));
  cmd.interactive = true;
  return cmd;
}

}  // namespace

TEST(PosixRunnerTerminal, AnInteractiveCommandGetsAPtyOfItsOwn) {
  // TIOCSTI into its own terminal works (no filter on the host): the point
  // is that the terminal is the relay's, so nothing reaches the caller's.
  Outcome o = run_on_terminal(interactive({IOCELL_JAIL_PROBE, "tty", "echo pwned\n"}), false);
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("fd0 tty=yes"), std::string::npos) << o.out;
  EXPECT_EQ(o.queued, 0) << o.out;
}

TEST(PosixRunnerTerminal, WithoutATerminalOnStdinEveryFdIsAPipe) {
  Outcome o = run_on_terminal(interactive({IOCELL_JAIL_PROBE, "tty", "echo pwned\n"}), true);
  EXPECT_EQ(o.exit_code, 0) << o.out;
  for (const char* fd : {"fd0 tty=no", "fd1 tty=no", "fd2 tty=no"}) EXPECT_NE(o.out.find(fd), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("tiocsti=ok"), std::string::npos) << o.out;
  EXPECT_EQ(o.queued, 0) << o.out;
}

TEST(PosixRunnerTerminal, ABackgroundProcessReadsNothingOnceTheCommandReturned) {
  for (bool stdin_pipe : {false, true}) {
    iocell::test::TempDir tmp("iocell-runner-tty");
    const auto file = tmp.path() / "bg.out";
    Outcome o = run_on_terminal(interactive({IOCELL_JAIL_PROBE, "bg-read", file.string()}), stdin_pipe,
                                "admin-password\n");
    EXPECT_EQ(o.exit_code, 0) << o.out;
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline && got.find("<eof>") == std::string::npos) {
      std::this_thread::sleep_for(20ms);
      std::ifstream in(file);
      std::ostringstream ss;
      ss << in.rdbuf();
      got = ss.str();
    }
    EXPECT_EQ(got.find("admin-password"), std::string::npos) << got;
    EXPECT_NE(got.find("<eof>"), std::string::npos) << got;
  }
}

TEST(PosixRunnerTerminal, AMissingProgramIs127) {
  Outcome o = run_on_terminal(interactive({"/nonexistent/prog"}), true);
  EXPECT_EQ(o.exit_code, 127);
}

#endif
