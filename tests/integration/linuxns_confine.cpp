// What a jail of the linux-ns runtime must not reach: the admin's terminal
// (TIOCSTI into the admin's shell, a background process reading the
// admin's later keystrokes), the host's keyrings, user namespaces and
// mounts it was not allowed. The jail side is tests/helpers/jail_probe.cpp.
#include <linux/keyctl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

using namespace std::chrono_literals;

void add_probe(TestJail& j) {
  const auto to = j.spec.root / "bin" / "probe";
  std::filesystem::copy_file(IOCELL_JAIL_PROBE, to, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(to, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                       std::filesystem::perms::others_exec);
}

struct AdminTerminal {
  int master = -1, slave = -1;
  AdminTerminal() {
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty");
  }
  ~AdminTerminal() {
    ::close(master);
    ::close(slave);
  }
  AdminTerminal(const AdminTerminal&) = delete;
  AdminTerminal& operator=(const AdminTerminal&) = delete;
  /// What the admin's shell would read next: bytes waiting in the input queue.
  int queued() const {
    int n = -1;
    ::ioctl(slave, FIONREAD, &n);
    return n;
  }
};

struct Session {
  std::string out;
  int exit_code = -1;
};

// Runs the request in a child whose controlling terminal and fds 1 and 2
// are the admin's terminal; fd 0 too unless `stdin_pipe`, then an empty pipe.
Session run_on(AdminTerminal& t, LinuxWorld& w, TestJail& j, const sdk::ExecRequest& req, bool stdin_pipe,
               const std::string& typed = "") {
  int in[2];
  if (::pipe(in) != 0) throw std::runtime_error("pipe");
  pid_t child = ::fork();
  if (child == 0) {
    ::setsid();
    ::ioctl(t.slave, TIOCSCTTY, 0);
    ::dup2(stdin_pipe ? in[0] : t.slave, 0);
    ::dup2(t.slave, 1);
    ::dup2(t.slave, 2);
    ::close(in[1]);
    try {
      ::_exit(w.runtime->exec(j.spec, *j.state, req).exit_code);
    } catch (...) {
      ::_exit(99);
    }
  }
  ::close(in[0]);
  ::close(in[1]);
  Session s;
  bool typed_done = typed.empty();
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    pollfd p{t.master, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      ssize_t n = ::read(t.master, buf, sizeof buf);
      if (n > 0) s.out.append(buf, static_cast<size_t>(n));
    }
    if (!typed_done && (s.out.find("# ") != std::string::npos || s.out.find("$ ") != std::string::npos)) {
      typed_done = true;
      if (::write(t.master, typed.data(), typed.size()) < 0) throw std::runtime_error("write to the pty");
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      while (::poll(&p, 1, 50) > 0) {
        ssize_t n = ::read(t.master, buf, sizeof buf);
        if (n <= 0) break;
        s.out.append(buf, static_cast<size_t>(n));
      }
      return s;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
      s.out += "\n<timed out>";
      return s;
    }
  }
}

sdk::ExecRequest interactive(std::vector<std::string> argv) {
  sdk::ExecRequest req;
  req.argv = std::move(argv);
  req.interactive = true;
  return req;
}

size_t count(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

TEST(LinuxNsConfine, ExecAndConsoleCannotTypeIntoTheAdminsTerminal) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-0000000000c1"));
  j.start();
  add_probe(j);
  AdminTerminal t;
  termios before{};
  ASSERT_EQ(::tcgetattr(t.slave, &before), 0);
  const std::string admin = ::ttyname(t.slave);

  // exec straight, through sh -c, and from /etc/profile of a console.
  std::ofstream(j.spec.root / "etc" / "profile") << "/bin/probe tty 'id>/tmp/p\n'\nexit\n";
  for (const auto& req : {interactive({"/bin/probe", "tty", "id>/tmp/x\n"}),
                          interactive({"/bin/sh", "-c", "/bin/probe tty 'id>/tmp/y\n'"})}) {
    Session s = run_on(t, w, j, req, false);
    EXPECT_EQ(s.exit_code, 0) << s.out;
    EXPECT_GE(count(s.out, "tiocsti="), 3u) << s.out;
    EXPECT_EQ(count(s.out, "tiocsti=ok"), 0u) << s.out;
    EXPECT_EQ(s.out.find("name=" + admin + " "), std::string::npos) << "the jail holds the admin's terminal:\n" << s.out;
    EXPECT_EQ(t.queued(), 0) << s.out;
  }
  sdk::ExecRequest console;
  console.interactive = true;
  console.login = true;
  std::filesystem::remove(j.spec.root / "bin" / "login");
  Session s = run_on(t, w, j, console, false);
  EXPECT_NE(s.out.find("fd0 tty=yes"), std::string::npos) << s.out;
  EXPECT_EQ(count(s.out, "tiocsti=ok"), 0u) << s.out;
  EXPECT_EQ(t.queued(), 0) << s.out;

  // Raw while the relay ran; the admin's settings are back afterwards.
  termios after{};
  ASSERT_EQ(::tcgetattr(t.slave, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_iflag, before.c_iflag);
  EXPECT_EQ(after.c_oflag, before.c_oflag);
}

TEST(LinuxNsConfine, WithoutATerminalOnStdinTheJailGetsPipes) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-0000000000c2"));
  j.start();
  add_probe(j);
  AdminTerminal t;
  Session s = run_on(t, w, j, interactive({"/bin/probe", "tty", "id\n"}), true);
  EXPECT_EQ(s.exit_code, 0) << s.out;
  // The output still reaches the admin, through the relay.
  for (const char* fd : {"fd0 tty=no", "fd1 tty=no", "fd2 tty=no"}) EXPECT_NE(s.out.find(fd), std::string::npos) << s.out;
  EXPECT_EQ(count(s.out, "tiocsti=ok"), 0u) << s.out;
  EXPECT_EQ(t.queued(), 0) << s.out;
}

TEST(LinuxNsConfine, ABackgroundProcessReadsNothingOnceExecReturned) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-0000000000c3"));
  j.start();
  add_probe(j);
  const auto file = j.spec.root / "root" / "bg.out";
  for (bool stdin_pipe : {false, true}) {
    std::filesystem::remove(file);
    AdminTerminal t;
    Session s = run_on(t, w, j, interactive({"/bin/probe", "bg-read", "/root/bg.out"}), stdin_pipe);
    EXPECT_EQ(s.exit_code, 0) << s.out;
    const std::string secret = "admin-password\n";
    ASSERT_EQ(::write(t.master, secret.data(), secret.size()), static_cast<ssize_t>(secret.size()));
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    std::string got;
    while (std::chrono::steady_clock::now() < deadline && got.find("<eof>") == std::string::npos) {
      std::this_thread::sleep_for(20ms);
      got = slurp_file(file);
    }
    EXPECT_EQ(got.find("admin-password"), std::string::npos) << (stdin_pipe ? "pipes: " : "pty: ") << got;
    EXPECT_NE(got.find("<eof>"), std::string::npos) << (stdin_pipe ? "pipes: " : "pty: ") << got;
  }
}

// A key of the test's, in its session and in root's user keyring, gone
// again whatever happens.
class HostKey {
 public:
  explicit HostKey(const std::string& desc) {
    for (long ring : {long{KEY_SPEC_SESSION_KEYRING}, long{KEY_SPEC_USER_KEYRING}}) {
      const long id = ::syscall(SYS_add_key, "user", desc.c_str(), "hunter2", 7, ring);
      if (id < 0) throw std::runtime_error(std::string("add_key: ") + std::strerror(errno));
      m_ids.push_back(id);
    }
  }
  ~HostKey() {
    for (long id : m_ids) ::syscall(SYS_keyctl, KEYCTL_INVALIDATE, id);
  }
  HostKey(const HostKey&) = delete;
  HostKey& operator=(const HostKey&) = delete;

 private:
  std::vector<long> m_ids;
};

TEST(LinuxNsConfine, NoHostKeyringNoUserNamespaceNoMount) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-0000000000c4"));
  j.start();
  add_probe(j);
  HostKey key("iocell-test-key-c4");

  auto r = j.exec({"/bin/probe", "keyctl", "iocell-test-key-c4"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  for (const char* what : {"unshare-user", "clone-user"}) {
    r = j.exec({"/bin/probe", what});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("Operation not permitted"), std::string::npos) << r.out;
  }
  r = j.exec({"/bin/probe", "userns-mount", "/mnt"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  r = j.exec({"/bin/probe", "mount", "/mnt"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // A host process sees its own key: the probe's refusal is the jail's.
  const long id = ::syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", "iocell-test-key-c4", 0L);
  EXPECT_GT(id, 0);
}

TEST(LinuxNsConfine, AllowMountLetsTheJailMount) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-0000000000c5", {{"allow_mount", "1"}}));
  j.start();
  add_probe(j);
  auto r = j.exec({"/bin/probe", "mount", "/mnt"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Still no user namespace: allow_mount is not a capability set of its own.
  r = j.exec({"/bin/probe", "unshare-user"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
}

}  // namespace
}  // namespace iocell::test
