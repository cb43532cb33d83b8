#include "process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "caps.hpp"

namespace iocell::plugins::linux_ns {

namespace {

std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// The exit status, and the reason when the command never ran.
void finish(sdk::CommandResult& result, int status, int exec_err_fd, const std::string& shown_command) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  else result.exit_code = 127;

  std::string failure;
  ::fcntl(exec_err_fd, F_SETFL, ::fcntl(exec_err_fd, F_GETFL) | O_NONBLOCK);
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(exec_err_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    failure.append(buf, static_cast<size_t>(n));
  }
  if (!failure.empty()) {
    size_t sp = failure.find(' ');
    int err = 0;
    try {
      err = std::stoi(failure.substr(0, sp));
    } catch (const std::exception&) {
    }
    std::string what = sp == std::string::npos ? shown_command : failure.substr(sp + 1);
    result.exit_code = 127;
    result.err += what + ": " + std::strerror(err) + "\n";
  }
}

}  // namespace

ChildIo::ChildIo(bool interactive, const std::filesystem::path& log_to) : m_interactive(interactive) {
  if (interactive) {
    m_relay = std::make_unique<sdk::TerminalRelay>();
    return;
  }
  m_in = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!m_in) throw sys_error("cannot open /dev/null");
  if (!log_to.empty()) {
    m_out = UniqueFd(::open(log_to.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!m_out) throw sys_error("cannot open the log " + log_to.string());
    m_err = UniqueFd(::fcntl(m_out.get(), F_DUPFD_CLOEXEC, 0));
    return;
  }
  auto [out_r, out_w] = make_pipe();
  auto [err_r, err_w] = make_pipe();
  m_out_r = std::move(out_r);
  m_out = std::move(out_w);
  m_err_r = std::move(err_r);
  m_err = std::move(err_w);
}

void ChildIo::install_in_child() const {
  if (m_relay) {
    m_relay->install_in_child();
    return;
  }
  // dup2 clears close-on-exec on the copies, which is what the command needs.
  ::dup2(m_in.get(), 0);
  ::dup2(m_out.get(), 1);
  ::dup2(m_err.get(), 2);
}

void ChildIo::parent_after_fork() {
  if (m_relay) m_relay->parent_after_fork();
  m_in.reset();
  m_out.reset();
  m_err.reset();
}

void ChildIo::drop_parent_ends() {
  if (m_relay) m_relay->drop_parent_ends();
  m_out_r.reset();
  m_err_r.reset();
}

void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void fail_in_child(int errfd, int err, const char* what) noexcept {
  char digits[16];
  int n = 0;
  unsigned v = static_cast<unsigned>(err);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < 15);
  char msg[512];
  std::size_t len = 0;
  while (n > 0) msg[len++] = digits[--n];
  msg[len++] = ' ';
  for (const char* p = what; *p != '\0' && len < sizeof msg; ++p) msg[len++] = *p;
  std::size_t off = 0;
  while (off < len) {
    const ssize_t w = ::write(errfd, msg + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += static_cast<std::size_t>(w);
  }
  ::_exit(127);
}

PreparedExec::PreparedExec(const ProcessPlan& plan)
    : m_cwd(plan.cwd),
      m_caps(plan.caps),
      m_last_cap(last_cap()),
      m_filter(plan.syscalls),
      m_switch_user(plan.user.uid != 0 || plan.user.gid != 0 || plan.groups.size() > 1),
      m_uid(plan.user.uid),
      m_gid(plan.user.gid),
      m_groups(plan.groups),
      m_env(plan.env) {
  m_stages.reserve(2);
  for (auto& e : m_env) m_envp.push_back(e.data());
  m_envp.push_back(nullptr);
  if (!plan.argv.empty()) {
    add_stage(plan.argv[0], plan.argv, plan.path, false);
    return;
  }
  // A console: login(1) where the jail has it, else the user's shell as a
  // login shell, told so by a '-' before its name.
  std::vector<std::string> login{"login"};
  login.insert(login.end(), plan.login_args.begin(), plan.login_args.end());
  add_stage("login", login, plan.path, true);
  const std::string shell = plan.user.shell.empty() ? "/bin/sh" : plan.user.shell;
  add_stage(shell, {"-" + shell.substr(shell.rfind('/') + 1)}, plan.path, false);
}

// execvp() would search the caller's PATH; the jail's comes from the plan.
void PreparedExec::add_stage(const std::string& file, std::vector<std::string> args, const std::string& path,
                             bool fall_through) {
  Stage st;
  st.shown = file;
  st.fall_through = fall_through;
  if (file.find('/') != std::string::npos) {
    st.paths.push_back(file);
  } else {
    std::size_t start = 0;
    while (start <= path.size()) {
      const std::size_t colon = path.find(':', start);
      std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      st.paths.push_back((dir.empty() ? std::string(".") : dir) + "/" + file);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  st.args = std::move(args);
  m_stages.push_back(std::move(st));
  // The pointers are taken once the stage has its final address.
  Stage& placed = m_stages.back();
  for (auto& a : placed.args) placed.argv.push_back(a.data());
  placed.argv.push_back(nullptr);
}

void PreparedExec::run(int errfd) const noexcept {
  if (::chdir(m_cwd.c_str()) != 0 && ::chdir("/") != 0) fail_in_child(errfd, errno, "/");
  // While the child still has CAP_SYS_ADMIN: the filter then needs no
  // no_new_privs, which would break the jail's setuid programs.
  const char* what = "";
  if (int err = confine(m_filter, what); err != 0) fail_in_child(errfd, err, what);
  if (int err = drop_capabilities(m_caps, m_last_cap); err != 0) fail_in_child(errfd, err, "(dropping capabilities)");
  // Raw system calls: glibc's wrappers would signal every thread of the
  // process, and a vfork child shares the parent's view of them.
  if (m_switch_user) {
    if (::syscall(SYS_setgroups, m_groups.size(), m_groups.data()) != 0) fail_in_child(errfd, errno, "(setgroups)");
    if (::syscall(SYS_setgid, m_gid) != 0) fail_in_child(errfd, errno, "(setgid)");
    if (::syscall(SYS_setuid, m_uid) != 0) fail_in_child(errfd, errno, "(setuid)");
  } else if (::syscall(SYS_setgroups, 0, nullptr) != 0) {
    fail_in_child(errfd, errno, "(setgroups)");
  }
  for (const Stage& st : m_stages) {
    int saved = ENOENT;
    for (const std::string& candidate : st.paths) {
      ::execve(candidate.c_str(), st.argv.data(), m_envp.data());
      if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    }
    if (!st.fall_through) fail_in_child(errfd, saved, st.shown.c_str());
  }
  fail_in_child(errfd, ENOENT, "(nothing to run)");
}

void exec_process(const ProcessPlan& plan, int errfd) {
  try {
    const PreparedExec prepared(plan);
    prepared.run(errfd);
  } catch (const std::exception&) {
    fail_in_child(errfd, errno ? errno : ENOMEM, "(preparing the command)");
  }
}

sdk::CommandResult supervise(pid_t child, ChildIo& io, int exec_err_fd, std::chrono::milliseconds timeout,
                             const std::string& shown_command) {
  sdk::CommandResult result;
  if (io.interactive()) {
    finish(result, io.relay().wait(child), exec_err_fd, shown_command);
    // Nobody else shows an interactive command's errors.
    if (!result.err.empty() && ::write(2, result.err.data(), result.err.size()) < 0) {
      // The caller's stderr is gone: the exit status says it.
    }
    return result;
  }
  UniqueFd pidfd(open_pidfd(child));
  using Clock = std::chrono::steady_clock;
  const bool timed = timeout.count() > 0;
  auto deadline = Clock::now() + timeout;
  bool termed = false;
  char buf[65536];
  auto drain = [&](int fd, std::string& sink, bool block) {
    if (fd < 0) return;
    if (!block) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        sink.append(buf, static_cast<size_t>(n));
        if (block) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return;
    }
  };
  bool exited = false;
  bool out_open = io.captured(), err_open = io.captured();
  while (!exited) {
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = {pidfd.get(), POLLIN, 0};
    int i_out = -1, i_err = -1;
    if (out_open) { fds[n] = {io.out_fd(), POLLIN, 0}; i_out = static_cast<int>(n++); }
    if (err_open) { fds[n] = {io.err_fd(), POLLIN, 0}; i_err = static_cast<int>(n++); }
    int wait_ms = -1;
    if (timed) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      wait_ms = left < 0 ? 0 : static_cast<int>(left);
    }
    int pr = ::poll(fds, n, wait_ms);
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) {
      if (!termed) {
        result.timed_out = true;
        ::kill(child, SIGTERM);
        termed = true;
        deadline = Clock::now() + std::chrono::seconds(2);
      } else {
        ::kill(child, SIGKILL);
        deadline = Clock::now() + std::chrono::hours(1);
      }
      continue;
    }
    auto pump = [&](int idx, int fd, std::string& sink, bool& open) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t r = ::read(fd, buf, sizeof buf);
      if (r > 0) sink.append(buf, static_cast<size_t>(r));
      else if (r == 0 || errno != EINTR) open = false;
    };
    pump(i_out, io.out_fd(), result.out, out_open);
    pump(i_err, io.err_fd(), result.err, err_open);
    if (fds[0].revents & POLLIN) exited = true;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  // A daemon the command started may hold the pipes open for ever: take
  // what is there now and stop.
  if (out_open) drain(io.out_fd(), result.out, false);
  if (err_open) drain(io.err_fd(), result.err, false);
  finish(result, status, exec_err_fd, shown_command);
  return result;
}

}  // namespace iocell::plugins::linux_ns
