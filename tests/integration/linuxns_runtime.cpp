// The linux-ns runtime for real: namespaces, pivot_root, the init, exec,
// stop, and what the kernel says about running jails.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <algorithm>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

using namespace std::chrono_literals;

// Alive means running: a zombie waiting for the host's reaper is dead.
bool alive(pid_t pid) {
  std::string stat = slurp_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

bool listed(LinuxWorld& w, const std::string& name) {
  for (const auto& st : w.runtime->running())
    if (st.name == name) return true;
  return false;
}

TEST(LinuxNsRuntime, StartExecStop) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000001", {{"host_hostname", "webjail"}}));
  j.start();
  ASSERT_TRUE(j.state);
  EXPECT_GT(j.state->jid, 1);
  EXPECT_TRUE(listed(w, j.spec.name));

  EXPECT_EQ(j.out({"hostname"}), "webjail");
  EXPECT_EQ(j.out({"cat", "/proc/1/comm"}), "iocell-init");
  // /proc belongs to the jail's pid namespace: the init and this command.
  const std::string pids = j.out({"sh", "-c", "ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '"});
  EXPECT_EQ(pids.substr(0, 2), "1 ") << pids;
  EXPECT_EQ(j.out({"sh", "-c", "echo $$"}).size() < 4, true);
  EXPECT_EQ(j.out({"sh", "-c", "echo hi > /dev/null && head -c 4 /dev/zero | wc -c"}), "4");
  EXPECT_EQ(j.out({"sh", "-c", "stat -f -c %T /tmp"}), "tmpfs");
  EXPECT_EQ(j.out({"sh", "-c", "test -c /dev/pts/ptmx && test -c /dev/urandom && echo ok"}), "ok");
  // Only the jail's root is visible: no host path.
  EXPECT_EQ(j.out({"sh", "-c", "test -e /usr/lib/x86_64-linux-gnu && echo host || echo jail"}), "jail");

  // The jail cannot stop itself through its init, which only obeys the host.
  j.exec({"kill", "-TERM", "1"});
  j.exec({"kill", "-KILL", "1"});
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(listed(w, j.spec.name));
  // Orphans are the init's to reap.
  EXPECT_EQ(j.exec({"sh", "-c", "(sleep 0.1 &); exit 0"}).exit_code, 0);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(j.out({"sh", "-c", "ps -o stat | grep -c Z || true"}), "0");

  const pid_t init = static_cast<pid_t>(j.state->jid);
  j.stop();
  EXPECT_FALSE(listed(w, j.spec.name));
  EXPECT_FALSE(alive(init)) << "the init survived stop";
}

TEST(LinuxNsRuntime, KilledInitReadsAsDown) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000002"));
  j.start();
  ASSERT_TRUE(listed(w, j.spec.name));
  ASSERT_EQ(::kill(static_cast<pid_t>(j.state->jid), SIGKILL), 0);
  for (int i = 0; i < 200 && listed(w, j.spec.name); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(listed(w, j.spec.name));
  EXPECT_THROW(j.exec({"true"}), std::runtime_error);
}

TEST(LinuxNsRuntime, ExecUsersStatusAndLogs) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000003"));
  j.start();
  sdk::ExecRequest req;
  req.argv = {"sh", "-c", "id -u; id -G; echo $HOME; pwd"};
  req.jail_user = "user";
  auto res = w.runtime->exec(j.spec, *j.state, req);
  EXPECT_EQ(res.exit_code, 0) << res.err;
  EXPECT_EQ(res.out, "1000\n1000 10\n/home/user\n/\n");

  auto missing = j.exec({"no-such-command"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.err.find("no-such-command"), std::string::npos) << missing.err;
  EXPECT_EQ(j.exec({"sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(j.exec({"sh", "-c", "kill -9 $$"}).exit_code, 128 + 9);

  sdk::ExecRequest logged;
  logged.argv = {"sh", "-c", "echo to-log; echo err-to-log >&2"};
  logged.log_to = j.spec.console_log;
  auto lres = w.runtime->exec(j.spec, *j.state, logged);
  EXPECT_EQ(lres.exit_code, 0);
  EXPECT_TRUE(lres.out.empty());
  EXPECT_EQ(slurp_file(j.spec.console_log), "to-log\nerr-to-log\n");

  sdk::ExecRequest stranger;
  stranger.argv = {"true"};
  stranger.jail_user = "nosuchuser";
  EXPECT_THROW(w.runtime->exec(j.spec, *j.state, stranger), std::runtime_error);
}

TEST(LinuxNsRuntime, CapabilitiesAreDropped) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  auto bounding = [](TestJail& j) {
    std::string line = j.out({"sh", "-c", "grep CapBnd /proc/self/status | cut -f2"});
    return std::stoull(line, nullptr, 16);
  };
  auto has = [](unsigned long long set, int cap) { return ((set >> cap) & 1) != 0; };
  TestJail plain(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000004", {{"allow_set_hostname", "0"}}));
  plain.start();
  const auto caps = bounding(plain);
  for (int cap : {16 /*SYS_MODULE*/, 17 /*SYS_RAWIO*/, 25 /*SYS_TIME*/, 21 /*SYS_ADMIN*/, 13 /*NET_RAW*/, 12 /*NET_ADMIN*/, 19 /*SYS_PTRACE*/})
    EXPECT_FALSE(has(caps, cap)) << "capability " << cap << " in " << std::hex << caps;
  EXPECT_TRUE(has(caps, 0 /*CHOWN*/));
  // The init itself holds no more than its jail.
  const std::string init_status = slurp_file("/proc/" + std::to_string(plain.state->jid) + "/status");
  EXPECT_NE(init_status.find("CapEff:\t" + plain.out({"sh", "-c", "grep CapEff /proc/self/status | cut -f2"})), std::string::npos)
      << init_status;
  // What the kernel refuses without them.
  EXPECT_NE(plain.exec({"mount", "-t", "tmpfs", "tmpfs", "/mnt"}).exit_code, 0);
  EXPECT_NE(plain.exec({"hostname", "renamed"}).exit_code, 0);
  EXPECT_NE(plain.exec({"ping", "-c", "1", "-W", "1", "127.0.0.1"}).exit_code, 0);

  TestJail granted(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000005", {{"allow_raw_sockets", "1"}, {"allow_mount", "1"}}));
  granted.start();
  const auto more = bounding(granted);
  EXPECT_TRUE(has(more, 13));
  EXPECT_TRUE(has(more, 21));
  EXPECT_FALSE(has(more, 16));
  EXPECT_EQ(granted.exec({"mount", "-t", "tmpfs", "tmpfs", "/mnt"}).exit_code, 0);
}

TEST(LinuxNsRuntime, AllowSetHostnameLetsTheJailsRootRenameOnlyItsJail) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  char host_before[256] = {};
  ::gethostname(host_before, sizeof host_before - 1);
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-00000000000a", {{"host_hostname", "first"}, {"allow_set_hostname", "1"}}));
  j.start();
  EXPECT_EQ(j.out({"hostname"}), "first");
  EXPECT_EQ(j.exec({"hostname", "renamed"}).exit_code, 0);
  EXPECT_EQ(j.out({"hostname"}), "renamed") << "the name holds for every process of the jail";
  char host_after[256] = {};
  ::gethostname(host_after, sizeof host_after - 1);
  EXPECT_STREQ(host_after, host_before) << "the host keeps its name";
  // Still no CAP_SYS_ADMIN: the right covers the jail's UTS namespace only.
  const std::string eff = j.out({"sh", "-c", "grep CapEff /proc/self/status | cut -f2"});
  EXPECT_FALSE((std::stoull(eff, nullptr, 16) >> 21) & 1) << eff;
  EXPECT_NE(j.exec({"mount", "-t", "tmpfs", "tmpfs", "/mnt"}).exit_code, 0);
  // Only the jail's root, as on FreeBSD.
  iocell::sdk::ExecRequest as_user;
  as_user.argv = {"hostname", "byuser"};
  as_user.user = "nobody";
  EXPECT_NE(w.runtime->exec(j.spec, *j.state, as_user).exit_code, 0);
  EXPECT_EQ(j.out({"hostname"}), "renamed");
}

TEST(LinuxNsRuntime, InitOutlivesTheCallerAndHoldsNothingOfIt) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000006"));
  // A descriptor the caller holds must not end up in the init.
  int leak = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(leak, 0);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t caller = ::fork();
  ASSERT_GE(caller, 0);
  if (caller == 0) {
    // The "iocell start" process: creates the jail and exits at once.
    try {
      auto st = w.runtime->create(j.spec);
      std::string pid = std::to_string(st.jid);
      if (::write(fds[1], pid.data(), pid.size()) < 0) ::_exit(2);
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  int status = 0;
  ::waitpid(caller, &status, 0);
  char buf[32] = {};
  ASSERT_GT(::read(fds[0], buf, sizeof buf - 1), 0);
  ::close(fds[0]);
  ::close(leak);
  const pid_t init = static_cast<pid_t>(std::stol(buf));
  struct Stop {
    LinuxWorld& w;
    sdk::JailSpec spec;
    pid_t pid;
    ~Stop() { w.runtime->destroy(spec, sdk::RunState{spec.name, pid, spec.root.string(), ""}); }
  } stop{w, j.spec, init};
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(alive(init));
  EXPECT_TRUE(listed(w, j.spec.name));
  std::vector<std::string> fd_names;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(init) + "/fd"))
    fd_names.push_back(e.path().filename().string());
  std::sort(fd_names.begin(), fd_names.end());
  EXPECT_EQ(fd_names, (std::vector<std::string>{"0", "1", "2"}));
  // Its own session, not the caller's terminal's.
  EXPECT_NE(::getsid(init), ::getsid(0));
  sdk::ExecRequest req;
  req.argv = {"cat", "/proc/1/comm"};
  auto res = w.runtime->exec(j.spec, sdk::RunState{j.spec.name, init, "", ""}, req);
  EXPECT_EQ(res.out, "iocell-init\n");
}

TEST(LinuxNsRuntime, StopWaitsStopTimeoutThenKills) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-000000000007", {{"stop_timeout", "1"}}));
  j.start();
  // One process leaves on SIGTERM, one ignores it.
  sdk::ExecRequest req;
  req.argv = {"sh", "-c", "sleep 1000 & (trap '' TERM; exec sleep 1001) & exit 0"};
  req.log_to = j.spec.console_log;
  ASSERT_EQ(w.runtime->exec(j.spec, *j.state, req).exit_code, 0);
  std::string sleeping;
  for (int i = 0; i < 100 && sleeping != "2"; ++i) {
    std::this_thread::sleep_for(10ms);
    sleeping = j.out({"sh", "-c", "ps -o comm | grep -c sleep || true"});
  }
  EXPECT_EQ(sleeping, "2");
  const pid_t init = static_cast<pid_t>(j.state->jid);
  const auto t0 = std::chrono::steady_clock::now();
  j.stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 900ms) << "SIGKILL came before stop_timeout";
  EXPECT_LT(took, 4s);
  EXPECT_FALSE(alive(init));
}

TEST(LinuxNsRuntime, ChrootRunsAStoppedJailWithoutNetwork) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  auto spec = w.make_spec("11111111-aaaa-4bbb-8ccc-000000000008", {{"host_hostname", "stopped"}});
  sdk::ExecRequest req;
  req.argv = {"sh", "-c", "echo $$; hostname; grep -c : /proc/net/dev; cat /proc/1/comm; echo data > /root/marker"};
  auto res = w.runtime->chroot(spec, req);
  EXPECT_EQ(res.exit_code, 0) << res.err;
  EXPECT_EQ(res.out, "1\nstopped\n1\nsh\n") << "pid 1, its own name, only lo, no init";
  EXPECT_EQ(slurp_file(spec.root / "root" / "marker"), "data\n");
  EXPECT_TRUE(w.runtime->running().empty());
}

TEST(LinuxNsRuntime, DryRunChangesNothing) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  sdk::HostContext dry = w.host();
  dry.dry_run = true;
  plugins::linux_ns::LinuxNsRuntime runtime(dry);
  auto spec = w.make_spec("11111111-aaaa-4bbb-8ccc-000000000009");
  auto st = runtime.create(spec);
  EXPECT_EQ(st.jid, 0);
  EXPECT_TRUE(runtime.running().empty());
  EXPECT_FALSE(std::filesystem::exists(w.host().root / ".run" / "linux-ns" / spec.name));
}

// The console on a terminal of the test's own (a pty): login(1) when the
// jail has it, else the user's shell as a login shell.
std::string console_session(LinuxWorld& w, TestJail& j, const std::string& input) {
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty");
  pid_t child = ::fork();
  if (child == 0) {
    ::close(master);
    ::setsid();
    ::ioctl(slave, TIOCSCTTY, 0);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    if (slave > 2) ::close(slave);
    sdk::ExecRequest req;
    req.interactive = true;
    req.login = true;
    try {
      ::_exit(w.runtime->exec(j.spec, *j.state, req).exit_code);
    } catch (...) {
      ::_exit(99);
    }
  }
  ::close(slave);
  // Typed once the shell prompts: login(1) flushes what came before.
  bool typed = false;
  std::string out;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: the last process on the terminal left
      out.append(buf, static_cast<size_t>(n));
      if (!typed && (out.find("# ") != std::string::npos || out.find("$ ") != std::string::npos)) {
        typed = true;
        if (::write(master, input.data(), input.size()) < 0) throw std::runtime_error("write to the pty");
      }
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      while (::poll(&p, 1, 0) > 0 && ::read(master, buf, sizeof buf) > 0) {
      }
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
      break;
    }
  }
  ::close(master);
  return out;
}

TEST(LinuxNsRuntime, ConsoleIsALoginShellOnTheCallersTerminal) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-00000000000a"));
  j.start();
  // busybox login -f root, then the root shell from the jail's passwd.
  std::string out = console_session(w, j, "echo console-$((6*7)) $HOME $(test -t 0 && echo tty); exit\n");
  EXPECT_NE(out.find("console-42 /root tty"), std::string::npos) << out;

  // Without login(1): the shell, told it is a login shell by its name.
  std::filesystem::remove(j.spec.root / "bin" / "login");
  out = console_session(w, j, "echo shell-$((6*7)) $0 $(pwd); exit\n");
  EXPECT_NE(out.find("shell-42 -sh /root"), std::string::npos) << out;
}

}  // namespace
}  // namespace iocell::test
