#include <iocell/core/runners.hpp>

#include <sstream>
#include <iocell/sdk/terminal_relay.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <optional>
#include <string>

extern char** environ;

namespace iocell::core {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() { close_all(); }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_all() {
    close_end(0);
    close_end(1);
  }
};

std::vector<std::string> build_env(const sdk::Command& cmd) {
  std::vector<std::string> env;
  if (!cmd.clear_env) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv(*e);
      std::string key = kv.substr(0, kv.find('='));
      if (cmd.env.count(key) == 0) env.push_back(kv);
    }
  }
  for (const auto& [k, v] : cmd.env) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

}  // namespace

namespace {

// posix_spawn attributes every child gets: default dispositions for the
// signals iocell handles itself, nothing blocked.
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() {
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

/// Starts cmd with the given descriptors as 0, 1 and 2 (-1: inherit).
/// Returns the pid, or 0 with the failure in `error`.
pid_t start_stage(const sdk::Command& cmd, int in_fd, int out_fd, int err_fd, std::string& error) {
  std::vector<std::string> argv_copy = cmd.argv;
  std::vector<std::string> env_copy = build_env(cmd);
  auto argv = c_strings(argv_copy);
  auto envp = c_strings(env_copy);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  struct ActionsGuard {
    posix_spawn_file_actions_t* a;
    ~ActionsGuard() { posix_spawn_file_actions_destroy(a); }
  } guard{&actions};
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  if (!cmd.cwd.empty()) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    posix_spawn_file_actions_addchdir_np(&actions, cmd.cwd.c_str());
#else
    throw std::runtime_error("running a command in another directory is not supported on this libc");
#endif
  }
  SpawnAttr attr;
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr.attr, argv.data(), envp.data());
  if (rc != 0) {
    error = std::string(cmd.argv[0]) + ": " + std::strerror(rc) + "\n";
    return 0;
  }
  return pid;
}

// The program posix_spawnp would run: argv[0] searched in this process's PATH.
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* env_path = std::getenv("PATH");
  const std::string path = env_path ? env_path : "/bin:/usr/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) return name;
    start = colon + 1;
  }
}

// An interactive command gets a terminal of its own that this process
// relays (sdk::TerminalRelay), never the caller's: posix_spawn cannot make
// a controlling terminal, so this is a fork whose child only makes system
// calls on what the parent prepared.
sdk::CommandResult run_relayed(const sdk::Command& cmd) {
  if (cmd.stdin_fd >= 0 || cmd.stdout_fd >= 0 || cmd.stdin_data)
    throw std::invalid_argument("an interactive command takes its input from the terminal: " + sdk::format_argv(cmd.argv));
  std::vector<std::string> argv_copy = cmd.argv;
  std::vector<std::string> env_copy = build_env(cmd);
  auto argv = c_strings(argv_copy);
  auto envp = c_strings(env_copy);
  const std::string program = resolve_program(cmd.argv[0]);
  sdk::TerminalRelay relay;
  Pipe err;
  sdk::CommandResult result;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGQUIT, SIGHUP, SIGWINCH}) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    relay.install_in_child();
    int code = 0;
    if (!cmd.cwd.empty() && ::chdir(cmd.cwd.c_str()) != 0) code = errno;
    if (code == 0) {
      ::execve(program.c_str(), argv.data(), envp.data());
      code = errno;
    }
    const ssize_t told = ::write(err.fd[1], &code, sizeof code);
    ::_exit(told == static_cast<ssize_t>(sizeof code) ? 127 : 126);
  }
  err.close_end(1);
  relay.parent_after_fork();
  const int status = relay.wait(pid);
  int code = 0;
  if (::read(err.fd[0], &code, sizeof code) == static_cast<ssize_t>(sizeof code)) {
    result.exit_code = 127;
    result.err = cmd.argv[0] + ": " + std::strerror(code) + "\n";
    return result;
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  else result.exit_code = 127;
  return result;
}

}  // namespace

pid_t PosixRunner::spawn(const sdk::Command& cmd) {
  if (cmd.argv.empty()) throw std::invalid_argument("spawn: an empty command");
  if (cmd.terminal_session && cmd.stdin_fd < 0)
    throw std::invalid_argument("spawn: a terminal session needs its terminal as stdin_fd: " + sdk::format_argv(cmd.argv));
  if (cmd.stdin_data || cmd.interactive || cmd.timeout.count() > 0)
    throw std::invalid_argument("spawn starts a command it does not wait for: no stdin_data, timeout or terminal: " + sdk::format_argv(cmd.argv));
  // The child cannot report a failed exec once it waits on a gate: what
  // can be checked is checked here.
  const std::string program = resolve_program(cmd.argv[0]);
  if (::access(program.c_str(), X_OK) != 0)
    throw std::runtime_error("cannot start " + sdk::format_argv(cmd.argv) + ": " + cmd.argv[0] + ": " + std::strerror(errno));
  std::vector<std::string> argv_copy = cmd.argv;
  std::vector<std::string> env_copy = build_env(cmd);
  auto argv = c_strings(argv_copy);
  auto envp = c_strings(env_copy);
  int gate = -1;
  if (!cmd.start_gate.empty()) {
    // Read and write: the open does not wait for a writer, and the read in
    // the child blocks until one writes (a reader alone would see EOF).
    gate = ::open(cmd.start_gate.c_str(), O_RDWR | O_CLOEXEC);
    if (gate < 0) throw std::runtime_error("cannot open " + cmd.start_gate + ": " + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    if (gate >= 0) ::close(gate);
    throw std::runtime_error(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
      if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (gate >= 0) {
      char go = 0;
      ssize_t n;
      do {
        n = ::read(gate, &go, 1);
      } while (n < 0 && errno == EINTR);
      if (n != 1) ::_exit(127);
    }
    if (cmd.stdin_fd >= 0 && ::dup2(cmd.stdin_fd, 0) < 0) ::_exit(127);
    if (cmd.stdout_fd >= 0 && ::dup2(cmd.stdout_fd, 1) < 0) ::_exit(127);
    if (cmd.stderr_fd >= 0 && ::dup2(cmd.stderr_fd, 2) < 0) ::_exit(127);
    // A session of its own, so that its terminal becomes the controlling
    // one: never this process's.
    if (cmd.terminal_session && (::setsid() < 0 || ::ioctl(0, TIOCSCTTY, 0) < 0)) ::_exit(127);
    if (!cmd.cwd.empty() && ::chdir(cmd.cwd.c_str()) != 0) ::_exit(127);
    // Only stdin, stdout and stderr go on: nothing else of this process.
    ::closefrom(3);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  if (gate >= 0) ::close(gate);
  return pid;
}

sdk::CommandResult PosixRunner::run(const sdk::Command& cmd) {
  if (cmd.argv.empty()) throw std::invalid_argument("empty argv");
  if (!cmd.interactive) return run_pipeline({cmd}).front();
  return run_relayed(cmd);
}

std::vector<sdk::CommandResult> PosixRunner::run_pipeline(const std::vector<sdk::Command>& stages) {
  if (stages.empty()) throw std::invalid_argument("empty pipeline");
  for (const auto& s : stages) {
    if (s.argv.empty()) throw std::invalid_argument("empty argv");
    if (s.interactive) throw std::invalid_argument("an interactive command cannot be part of a pipeline: " + sdk::format_argv(s.argv));
  }
  const size_t n = stages.size();
  std::vector<sdk::CommandResult> results(n);
  std::vector<pid_t> pids(n, 0);
  std::optional<Pipe> in, out;
  std::vector<Pipe> errs(n);
  std::vector<Pipe> links(n - 1);

  const sdk::Command& first = stages.front();
  const sdk::Command& last = stages.back();
  if (first.stdin_fd < 0) in.emplace();
  if (last.stdout_fd < 0) out.emplace();
  for (size_t i = 0; i < n; ++i) {
    int child_in = i > 0 ? links[i - 1].fd[0] : (in ? in->fd[0] : first.stdin_fd);
    int child_out = i + 1 < n ? links[i].fd[1] : (out ? out->fd[1] : last.stdout_fd);
    pids[i] = start_stage(stages[i], child_in, child_out, errs[i].fd[1], results[i].err);
    if (pids[i] == 0) results[i].exit_code = 127;
    // The parent keeps no child-side end: a stage must see EOF (or EPIPE)
    // as soon as its neighbour exits.
    if (i > 0) links[i - 1].close_all();
    errs[i].close_end(1);
  }
  if (in) in->close_end(0);
  if (out) out->close_end(1);

  const std::string input = first.stdin_fd < 0 ? first.stdin_data.value_or("") : std::string();
  size_t written = 0;
  if (in) {
    if (input.empty() || pids.front() == 0) in->close_end(1);
    else ::fcntl(in->fd[1], F_SETFL, O_NONBLOCK);
  }

  using clock = std::chrono::steady_clock;
  std::chrono::milliseconds timeout{0};
  for (const auto& s : stages)
    if (s.timeout.count() > 0 && (timeout.count() == 0 || s.timeout < timeout)) timeout = s.timeout;
  const auto deadline = clock::now() + timeout;
  bool killed_term = false;
  clock::time_point kill_deadline{};
  auto signal_all = [&](int sig) {
    for (pid_t pid : pids)
      if (pid > 0) ::kill(pid, sig);
  };
  char buf[65536];
  auto open_reads = [&] {
    bool any = out && out->fd[0] >= 0;
    for (const auto& e : errs) any = any || e.fd[0] >= 0;
    return any;
  };
  while (open_reads()) {
    std::vector<pollfd> fds;
    std::vector<std::pair<Pipe*, std::string*>> sinks;
    if (out && out->fd[0] >= 0) {
      fds.push_back({out->fd[0], POLLIN, 0});
      sinks.emplace_back(&*out, &results.back().out);
    }
    for (size_t i = 0; i < n; ++i) {
      if (errs[i].fd[0] < 0) continue;
      fds.push_back({errs[i].fd[0], POLLIN, 0});
      sinks.emplace_back(&errs[i], &results[i].err);
    }
    const size_t idx_in = fds.size();
    if (in && in->fd[1] >= 0) fds.push_back({in->fd[1], POLLOUT, 0});
    int wait_ms = -1;
    if (timeout.count() > 0) {
      auto target = killed_term ? kill_deadline : deadline;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(target - clock::now()).count();
      wait_ms = left < 0 ? 0 : static_cast<int>(left);
    }
    int pr = ::poll(fds.data(), static_cast<nfds_t>(fds.size()), wait_ms);
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) {
      if (!killed_term) {
        for (auto& r : results) r.timed_out = true;
        signal_all(SIGTERM);
        killed_term = true;
        kill_deadline = clock::now() + std::chrono::seconds(2);
      } else {
        signal_all(SIGKILL);
        break;
      }
      continue;
    }
    for (size_t k = 0; k < sinks.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = ::read(sinks[k].first->fd[0], buf, sizeof buf);
      if (r > 0) sinks[k].second->append(buf, static_cast<size_t>(r));
      else if (r == 0 || errno != EINTR) sinks[k].first->close_end(0);
    }
    if (idx_in < fds.size() && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(in->fd[1], input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) in->close_end(1);
      if (written >= input.size()) in->close_end(1);
    }
  }
  if (in) in->close_all();
  for (size_t i = 0; i < n; ++i)
    if (pids[i] > 0) results[i].exit_code = wait_status(pids[i]);
  return results;
}

sdk::CommandResult RecordingRunner::run(const sdk::Command& cmd) {
  if (cmd.read_only) return m_reads.run(cmd);
  m_recorded.push_back(cmd);
  m_out << "would run: " << sdk::format_argv(cmd.argv) << "\n";
  // What a command reads is part of what it would do (the rules a filter
  // would load): each line shown under it.
  if (cmd.stdin_data) {
    std::istringstream in(*cmd.stdin_data);
    for (std::string line; std::getline(in, line);) m_out << "    < " << line << "\n";
  }
  return sdk::CommandResult{};
}

std::vector<sdk::CommandResult> RecordingRunner::run_pipeline(const std::vector<sdk::Command>& stages) {
  std::string line;
  for (const auto& s : stages) {
    m_recorded.push_back(s);
    line += (line.empty() ? "" : " | ") + sdk::format_argv(s.argv);
  }
  m_out << "would run: " << line << "\n";
  return std::vector<sdk::CommandResult>(stages.size());
}

}  // namespace iocell::core
