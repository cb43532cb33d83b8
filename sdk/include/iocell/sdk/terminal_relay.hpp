// The caller's terminal never reaches a jail. An interactive command gets a
// pseudo-terminal of its own (when the caller's stdin is a terminal) or pipes
// (when it is not), and the caller relays bytes between them and its own
// descriptors. A jail that holds the caller's terminal could push input into
// the admin's shell (TIOCSTI), keep reading the admin's keystrokes from a
// background process after the command returned, or reach it as /dev/tty;
// jexec(8) on FreeBSD is safe from the first because TIOCSTI needs a
// privilege no jail has, and from none of the others.
//
// Use: construct in the parent before fork; install_in_child() in the child
// (async-signal-safe: allocates nothing, may run in a vfork child);
// parent_after_fork() then wait(child) in the parent.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace iocell::sdk {

namespace relay_detail {

inline int g_signal_pipe = -1;  // the write end, for the handler

inline void on_signal(int sig) {
  const int saved = errno;
  const unsigned char b = static_cast<unsigned char>(sig);
  if (g_signal_pipe >= 0 && ::write(g_signal_pipe, &b, 1) < 0) {
    // A full pipe already holds a wake-up for the loop.
  }
  errno = saved;
}

inline void set_flags(int fd, int add_fd, int add_fl) {
  if (add_fd) ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | add_fd);
  if (add_fl) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | add_fl);
}

inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

inline bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      pollfd pf{fd, POLLOUT, 0};
      ::poll(&pf, 1, -1);
      continue;
    }
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

inline std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace relay_detail

class TerminalRelay {
 public:
  /// Looks at this process's fds 0, 1 and 2: a pty when stdin is a
  /// terminal (stdout and stderr go through it when they are terminals
  /// too, else through pipes), pipes for all three otherwise.
  TerminalRelay() {
    m_pty = ::isatty(0) == 1;
    if (m_pty) open_pty();
    for (int fd = 0; fd < 3; ++fd) {
      if (m_pty && (fd == 0 || ::isatty(fd) == 1)) {
        m_child[fd] = m_slave;
        continue;
      }
      int p[2];
      if (::pipe(p) != 0) throw relay_detail::sys_error("pipe");
      relay_detail::set_flags(p[0], FD_CLOEXEC, 0);
      relay_detail::set_flags(p[1], FD_CLOEXEC, 0);
      m_child[fd] = fd == 0 ? p[0] : p[1];
      m_parent[fd] = fd == 0 ? p[1] : p[0];
      m_own_child[fd] = true;
    }
  }
  ~TerminalRelay() {
    restore_terminal();
    for (int fd = 0; fd < 3; ++fd) {
      relay_detail::close_fd(m_parent[fd]);
      if (m_own_child[fd]) relay_detail::close_fd(m_child[fd]);
    }
    relay_detail::close_fd(m_slave);
    relay_detail::close_fd(m_master);
  }
  TerminalRelay(const TerminalRelay&) = delete;
  TerminalRelay& operator=(const TerminalRelay&) = delete;

  bool uses_pty() const { return m_pty; }

  /// In the child: a session of its own (so the caller's terminal is no
  /// longer its controlling terminal, not even as /dev/tty), the pty slave
  /// as controlling terminal, the relay's ends as 0, 1, 2, and every other
  /// descriptor closed on exec, whatever the caller left open.
  void install_in_child() const noexcept {
    ::setsid();
    if (m_pty) ::ioctl(m_slave, TIOCSCTTY, 0);
    for (int fd = 0; fd < 3; ++fd) {
      if (m_child[fd] != fd) ::dup2(m_child[fd], fd);
      ::fcntl(fd, F_SETFD, 0);
    }
    cloexec_from(3);
  }

  /// In the parent: closes the child's ends; the caller's terminal goes raw
  /// (the pty's line discipline does the editing and the signals now).
  void parent_after_fork() {
    for (int fd = 0; fd < 3; ++fd) {
      if (m_own_child[fd]) relay_detail::close_fd(m_child[fd]);
      m_child[fd] = -1;
    }
    relay_detail::close_fd(m_slave);
    if (!m_pty) return;
    termios raw = m_saved;
    ::cfmakeraw(&raw);
    if (::tcsetattr(0, TCSADRAIN, &raw) == 0) m_raw = true;
  }

  /// In a process that stands between the caller and the child (and
  /// relays nothing): lets go of the caller's ends, so that the child sees
  /// the end of its input when the caller closes it.
  void drop_parent_ends() noexcept {
    for (int fd = 0; fd < 3; ++fd) relay_detail::close_fd(m_parent[fd]);
    relay_detail::close_fd(m_master);
  }

  /// Relays until `child` exits, then takes what it wrote before it did
  /// and stops: a background process of the jail that holds its end reads
  /// EOF from then on and never the caller's later keystrokes. Returns
  /// the wait status. SIGINT, SIGQUIT, SIGTERM and SIGHUP sent to the
  /// caller are passed on to the child meanwhile; SIGWINCH resizes the pty.
  int wait(pid_t child) {
    SignalGuard signals;
    int status = 0;
    bool exited = reap(child, status);
    bool in_open = true;
    const int feed_to = m_pty ? m_master : m_parent[0];
    if (feed_to >= 0) relay_detail::set_flags(feed_to, 0, O_NONBLOCK);
    char buf[16384];
    while (!exited) {
      pollfd fds[6];
      int n = 0;
      fds[n++] = {signals.read_fd(), POLLIN, 0};
      // The caller's input waits while the jail has not taken the last of it.
      const bool feeding = !m_pending.empty() && feed_target() >= 0;
      const int i_in = in_open && !feeding ? n : -1;
      if (i_in >= 0) fds[n++] = {0, POLLIN, 0};
      const int i_feed = feeding ? n : -1;
      if (feeding) fds[n++] = {feed_target(), POLLOUT, 0};
      const int i_master = m_master >= 0 ? n : -1;
      if (m_master >= 0) fds[n++] = {m_master, POLLIN, 0};
      const int i_out = m_parent[1] >= 0 ? n : -1;
      if (m_parent[1] >= 0) fds[n++] = {m_parent[1], POLLIN, 0};
      const int i_err = m_parent[2] >= 0 ? n : -1;
      if (m_parent[2] >= 0) fds[n++] = {m_parent[2], POLLIN, 0};
      if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
        if (errno == EINTR) continue;
        throw relay_detail::sys_error("poll");
      }
      if (fds[0].revents & POLLIN) {
        unsigned char sigs[64];
        const ssize_t got = ::read(signals.read_fd(), sigs, sizeof sigs);
        for (ssize_t k = 0; k < got; ++k) {
          if (sigs[k] == SIGWINCH) copy_window_size();
          else if (sigs[k] != SIGCHLD) ::kill(child, sigs[k]);
        }
        exited = reap(child, status);
      }
      constexpr short kReady = POLLIN | POLLHUP | POLLERR;
      if (i_in >= 0 && (fds[i_in].revents & kReady)) in_open = take_input(buf, sizeof buf);
      if (i_feed >= 0 && (fds[i_feed].revents & (POLLOUT | POLLHUP | POLLERR))) feed();
      if (i_master >= 0 && (fds[i_master].revents & kReady)) pump(m_master, terminal_out(), buf, sizeof buf);
      if (i_out >= 0 && (fds[i_out].revents & kReady)) pump(m_parent[1], 1, buf, sizeof buf);
      if (i_err >= 0 && (fds[i_err].revents & kReady)) pump(m_parent[2], 2, buf, sizeof buf);
      if (!in_open && m_pending.empty() && !m_pty) relay_detail::close_fd(m_parent[0]);
    }
    drain(buf, sizeof buf);
    restore_terminal();
    for (int fd = 0; fd < 3; ++fd) relay_detail::close_fd(m_parent[fd]);
    relay_detail::close_fd(m_master);
    return status;
  }

 private:
  // The handlers only write the signal number to a pipe the relay polls;
  // SIGPIPE is ignored so that a reader of the caller's output that went
  // away ends the child's output, not the caller. The old dispositions
  // come back on every exit.
  class SignalGuard {
   public:
    SignalGuard() {
      int p[2];
      if (::pipe(p) != 0) throw relay_detail::sys_error("pipe");
      m_r = p[0];
      m_w = p[1];
      relay_detail::set_flags(m_r, FD_CLOEXEC, O_NONBLOCK);
      relay_detail::set_flags(m_w, FD_CLOEXEC, O_NONBLOCK);
      relay_detail::g_signal_pipe = m_w;
      struct sigaction sa {};
      sa.sa_handler = relay_detail::on_signal;
      sa.sa_flags = SA_RESTART;
      ::sigemptyset(&sa.sa_mask);
      for (int k = 0; k < kCount; ++k) ::sigaction(kSignals[k], &sa, &m_old[k]);
      struct sigaction ign {};
      ign.sa_handler = SIG_IGN;
      ::sigaction(SIGPIPE, &ign, &m_old_pipe);
    }
    ~SignalGuard() {
      for (int k = 0; k < kCount; ++k) ::sigaction(kSignals[k], &m_old[k], nullptr);
      ::sigaction(SIGPIPE, &m_old_pipe, nullptr);
      relay_detail::g_signal_pipe = -1;
      ::close(m_r);
      ::close(m_w);
    }
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;
    int read_fd() const { return m_r; }

   private:
    static constexpr int kCount = 6;
    static constexpr int kSignals[kCount] = {SIGCHLD, SIGWINCH, SIGINT, SIGQUIT, SIGTERM, SIGHUP};
    struct sigaction m_old[kCount] {};
    struct sigaction m_old_pipe {};
    int m_r = -1, m_w = -1;
  };

  void open_pty() {
    if (::tcgetattr(0, &m_saved) != 0) throw relay_detail::sys_error("cannot read the terminal's settings");
    m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (m_master < 0) throw relay_detail::sys_error("cannot open a pseudo-terminal");
    relay_detail::set_flags(m_master, FD_CLOEXEC, 0);
    if (::grantpt(m_master) != 0 || ::unlockpt(m_master) != 0) throw relay_detail::sys_error("cannot unlock the pseudo-terminal");
    const char* name = ::ptsname(m_master);
    if (name == nullptr) throw relay_detail::sys_error("cannot name the pseudo-terminal");
    m_slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m_slave < 0) throw relay_detail::sys_error(std::string("cannot open ") + name);
    // The jail's terminal starts as the caller's was: same modes, same size.
    ::tcsetattr(m_slave, TCSANOW, &m_saved);
    copy_window_size();
  }

  void copy_window_size() const {
    winsize ws{};
    if (m_master >= 0 && ::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(m_master, TIOCSWINSZ, &ws);
  }

  void restore_terminal() {
    if (m_raw) ::tcsetattr(0, TCSADRAIN, &m_saved);
    m_raw = false;
  }

  // Where the pty's output goes: the caller's terminal, on whichever of
  // stdout and stderr it is (only the echo goes there when neither is).
  int terminal_out() const {
    if (::isatty(1) == 1) return 1;
    if (::isatty(2) == 1) return 2;
    return -1;
  }

  static bool reap(pid_t child, int& status) {
    for (;;) {
      const pid_t r = ::waitpid(child, &status, WNOHANG);
      if (r == child) return true;
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        status = 127 << 8;
        return true;
      }
      return false;
    }
  }

  int feed_target() const { return m_pty ? m_master : m_parent[0]; }

  // Returns false once the caller's input is done (EOF: a pipe to the
  // child closes; a pty passes on nothing, the jail's own ^D does that).
  bool take_input(char* buf, std::size_t size) {
    const ssize_t n = ::read(0, buf, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0 || feed_target() < 0) return false;
    m_pending.assign(buf, static_cast<std::size_t>(n));
    feed();
    return true;
  }

  void feed() {
    while (!m_pending.empty()) {
      const ssize_t w = ::write(feed_target(), m_pending.data(), m_pending.size());
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) return;
      if (w <= 0) {
        // The jail closed its input: what the caller types goes nowhere.
        m_pending.clear();
        if (!m_pty) relay_detail::close_fd(m_parent[0]);
        return;
      }
      m_pending.erase(0, static_cast<std::size_t>(w));
    }
  }

  // One read from `from`; EOF or EIO (no process left on the pty) closes it.
  void pump(int& from, int to, char* buf, std::size_t size) {
    const ssize_t n = ::read(from, buf, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
      relay_detail::close_fd(from);
      return;
    }
    // Nobody reads the caller's side any more: the child learns it as a
    // closed pipe (EPIPE), as it would have without the relay.
    if (to >= 0 && !relay_detail::write_all(to, buf, static_cast<std::size_t>(n)) && from != m_master)
      relay_detail::close_fd(from);
  }

  // After the child's exit: pipes hold all it wrote; a pty may still be
  // moving the tail of it through the kernel, so it is read until quiet.
  void drain(char* buf, std::size_t size) {
    for (int fd = 1; fd < 3; ++fd) {
      if (m_parent[fd] < 0) continue;
      relay_detail::set_flags(m_parent[fd], 0, O_NONBLOCK);
      while (m_parent[fd] >= 0) {
        const ssize_t n = ::read(m_parent[fd], buf, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        relay_detail::write_all(fd, buf, static_cast<std::size_t>(n));
      }
    }
    if (m_master < 0) return;
    const int to = terminal_out();
    for (int rounds = 0; rounds < kDrainRounds; ++rounds) {
      pollfd pf{m_master, POLLIN, 0};
      if (::poll(&pf, 1, kQuietMs) <= 0) return;
      const ssize_t n = ::read(m_master, buf, size);
      if (n <= 0) return;
      if (to >= 0) relay_detail::write_all(to, buf, static_cast<std::size_t>(n));
    }
  }

  static void cloexec_from(int first) noexcept {
#if defined(CLOSE_RANGE_CLOEXEC)
    if (::close_range(static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
    const long max = ::sysconf(_SC_OPEN_MAX);
    const int top = max > 0 && max < 65536 ? static_cast<int>(max) : 65536;
    for (int fd = first; fd < top; ++fd) {
      const int flags = ::fcntl(fd, F_GETFD);
      if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }

  // A process that keeps writing must not hold the caller for ever.
  static constexpr int kDrainRounds = 256;
  static constexpr int kQuietMs = 50;

  bool m_pty = false;
  bool m_raw = false;
  termios m_saved{};
  int m_master = -1, m_slave = -1;
  std::string m_pending;  ///< read from the caller, not yet taken by the child
  int m_child[3] = {-1, -1, -1};
  int m_parent[3] = {-1, -1, -1};
  bool m_own_child[3] = {false, false, false};
};

}  // namespace iocell::sdk
