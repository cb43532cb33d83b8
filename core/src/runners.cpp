#include <iocell/core/runners.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
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

sdk::CommandResult PosixRunner::run(const sdk::Command& cmd) {
  if (cmd.argv.empty()) throw std::invalid_argument("empty argv");
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

  sdk::CommandResult result;
  std::optional<Pipe> in, out, err;
  if (!cmd.interactive) {
    in.emplace();
    out.emplace();
    err.emplace();
    posix_spawn_file_actions_adddup2(&actions, in->fd[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out->fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err->fd[1], 2);
  }
  if (!cmd.cwd.empty()) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    posix_spawn_file_actions_addchdir_np(&actions, cmd.cwd.c_str());
#else
    throw std::runtime_error("running a command in another directory is not supported on this libc");
#endif
  }

  posix_spawnattr_t attr;
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

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    result.exit_code = 127;
    result.err = std::string(cmd.argv[0]) + ": " + std::strerror(rc) + "\n";
    return result;
  }
  if (cmd.interactive) {
    result.exit_code = wait_status(pid);
    return result;
  }

  in->close_end(0);
  out->close_end(1);
  err->close_end(1);
  const std::string input = cmd.stdin_data.value_or("");
  size_t written = 0;
  if (input.empty()) in->close_end(1);
  else ::fcntl(in->fd[1], F_SETFL, O_NONBLOCK);

  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + cmd.timeout;
  bool killed_term = false;
  clock::time_point kill_deadline{};
  char buf[65536];
  while (out->fd[0] >= 0 || err->fd[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    int idx_out = -1, idx_err = -1, idx_in = -1;
    if (out->fd[0] >= 0) { fds[n] = {out->fd[0], POLLIN, 0}; idx_out = n++; }
    if (err->fd[0] >= 0) { fds[n] = {err->fd[0], POLLIN, 0}; idx_err = n++; }
    if (in->fd[1] >= 0) { fds[n] = {in->fd[1], POLLOUT, 0}; idx_in = n++; }
    int wait_ms = -1;
    if (cmd.timeout.count() > 0) {
      auto target = killed_term ? kill_deadline : deadline;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(target - clock::now()).count();
      wait_ms = left < 0 ? 0 : static_cast<int>(left);
    }
    int pr = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) {
      if (!killed_term) {
        result.timed_out = true;
        ::kill(pid, SIGTERM);
        killed_term = true;
        kill_deadline = clock::now() + std::chrono::seconds(2);
      } else {
        ::kill(pid, SIGKILL);
        break;
      }
      continue;
    }
    auto drain = [&](int idx, Pipe& p, std::string& sink) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t r = ::read(p.fd[0], buf, sizeof buf);
      if (r > 0) sink.append(buf, static_cast<size_t>(r));
      else if (r == 0 || errno != EINTR) p.close_end(0);
    };
    drain(idx_out, *out, result.out);
    drain(idx_err, *err, result.err);
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(in->fd[1], input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) in->close_end(1);
      if (written >= input.size()) in->close_end(1);
    }
  }
  in->close_all();
  result.exit_code = wait_status(pid);
  return result;
}

sdk::CommandResult RecordingRunner::run(const sdk::Command& cmd) {
  m_recorded.push_back(cmd);
  m_out << "would run: " << sdk::format_argv(cmd.argv) << "\n";
  return sdk::CommandResult{};
}

}  // namespace iocell::core
