#include "process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
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

[[noreturn]] void fail(int errfd, int err, const std::string& what) {
  std::string msg = std::to_string(err) + " " + what;
  write_all(errfd, msg);
  ::_exit(127);
}

std::vector<char*> c_array(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// execvp() would search the caller's PATH; the jail's comes from the plan.
int exec_search(std::vector<std::string> argv, const std::string& file, const std::vector<std::string>& env,
                const std::string& path) {
  std::vector<std::string> envc = env;
  auto av = c_array(argv);
  auto ev = c_array(envc);
  if (file.find('/') != std::string::npos) {
    ::execve(file.c_str(), av.data(), ev.data());
    return errno;
  }
  int saved = ENOENT;
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + file;
    ::execve(candidate.c_str(), av.data(), ev.data());
    if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return saved;
}

bool found_in_path(const std::string& file, const std::string& path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && ::access((dir + "/" + file).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

}  // namespace

ChildIo::ChildIo(bool interactive, const std::filesystem::path& log_to) : m_interactive(interactive) {
  if (interactive) return;
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
  if (m_interactive) return;
  // dup2 clears close-on-exec on the copies, which is what the command needs.
  ::dup2(m_in.get(), 0);
  ::dup2(m_out.get(), 1);
  ::dup2(m_err.get(), 2);
}

void ChildIo::parent_after_fork() {
  m_in.reset();
  m_out.reset();
  m_err.reset();
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

void exec_process(const ProcessPlan& plan, int errfd) {
  if (::chdir(plan.cwd.c_str()) != 0 && ::chdir("/") != 0) fail(errfd, errno, "/");
  try {
    restrict_capabilities(plan.caps);
  } catch (const std::exception&) {
    fail(errfd, errno, "(dropping capabilities)");
  }
  if (plan.user.uid != 0 || plan.user.gid != 0 || plan.groups.size() > 1) {
    if (::setgroups(plan.groups.size(), plan.groups.data()) != 0) fail(errfd, errno, "(setgroups)");
    if (::setgid(plan.user.gid) != 0) fail(errfd, errno, "(setgid " + std::to_string(plan.user.gid) + ")");
    if (::setuid(plan.user.uid) != 0) fail(errfd, errno, "(setuid " + std::to_string(plan.user.uid) + ")");
  } else if (::setgroups(0, nullptr) != 0) {
    fail(errfd, errno, "(setgroups)");
  }
  if (!plan.argv.empty()) {
    int err = exec_search(plan.argv, plan.argv[0], plan.env, plan.path);
    fail(errfd, err, plan.argv[0]);
  }
  if (found_in_path("login", plan.path)) {
    std::vector<std::string> argv{"login"};
    argv.insert(argv.end(), plan.login_args.begin(), plan.login_args.end());
    int err = exec_search(argv, "login", plan.env, plan.path);
    fail(errfd, err, "login");
  }
  // A login shell is told so by a '-' before its name.
  const std::string shell = plan.user.shell.empty() ? "/bin/sh" : plan.user.shell;
  const std::string base = shell.substr(shell.rfind('/') + 1);
  int err = exec_search({"-" + base}, shell, plan.env, plan.path);
  fail(errfd, err, shell);
}

sdk::CommandResult supervise(pid_t child, ChildIo& io, int exec_err_fd, std::chrono::milliseconds timeout,
                             const std::string& shown_command) {
  sdk::CommandResult result;
  UniqueFd pidfd(open_pidfd(child));
  struct sigaction ign {}, old_int{}, old_quit{};
  ign.sa_handler = SIG_IGN;
  if (io.interactive()) {
    ::sigaction(SIGINT, &ign, &old_int);
    ::sigaction(SIGQUIT, &ign, &old_quit);
  }
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
  if (io.interactive()) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  else result.exit_code = 127;

  std::string failure;
  drain(exec_err_fd, failure, false);
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
  return result;
}

}  // namespace iocell::plugins::linux_ns
