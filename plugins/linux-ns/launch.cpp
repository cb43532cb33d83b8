#include "launch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "caps.hpp"
#include "confine.hpp"
#include "init.hpp"
#include "netns.hpp"

namespace iocell::plugins::linux_ns {

namespace {

// Everything but the status pipe goes: the init lives for weeks and must
// not pin the caller's files, sockets or terminal.
void close_all_but(int keep) {
  if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
  ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2 && null != keep) ::close(null);
  }
}

void report(int fd, char kind, const std::string& text) {
  std::string line(1, kind);
  line += text;
  line += '\n';
  write_all(fd, line);
}

[[noreturn]] void init_child(const InitPlan& plan, int status_fd) {
  // Named before it reports ready: the name is part of how a record is
  // recognised as a live init.
  ::prctl(PR_SET_NAME, kInitName, 0, 0, 0);
  try {
    ::setsid();
    close_all_but(status_fd);
    enter_new_root(plan.root);
    UniqueFd procfd(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!procfd) throw sys_error("cannot open the jail's /proc");
    // The filter goes on while the init still has CAP_SYS_ADMIN, so it
    // needs no no_new_privs; the init itself execs nothing.
    const char* what = "";
    if (int err = confine(SyscallFilter(plan.syscalls), what); err != 0) {
      errno = err;
      throw sys_error(std::string("cannot confine the jail's init ") + what);
    }
    restrict_capabilities(plan.caps);
    report(status_fd, 'R', "");
    ::close(status_fd);
    run_init(procfd.release(), plan.stop_timeout);
  } catch (const std::exception& e) {
    report(status_fd, 'E', e.what());
  }
  ::_exit(1);
}

// Joins a new UTS namespace owned by a new user namespace that root made.
// A process whose effective uid owns a user namespace, living in its
// parent, holds every capability in it (user_namespaces(7)), and all that
// namespace owns is this UTS namespace: uid 0 in the jail may set the
// jail's hostname while it holds no capability on the host's behalf.
void join_settable_uts() {
  int ready[2], done[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0) throw sys_error("pipe");
  UniqueFd ready_r(ready[0]), ready_w(ready[1]), done_r(done[0]), done_w(done[1]);
  const pid_t maker = ::fork();
  if (maker < 0) throw sys_error("fork");
  if (maker == 0) {
    ready_r.reset();
    done_w.reset();
    const char ok = ::unshare(CLONE_NEWUSER) == 0 && ::unshare(CLONE_NEWUTS) == 0 ? 'y' : 'n';
    (void)!::write(ready_w.get(), &ok, 1);
    char c;
    (void)!::read(done_r.get(), &c, 1);  // until the parent holds the namespace
    ::_exit(0);
  }
  ready_w.reset();
  done_r.reset();
  char ok = 'n';
  const bool made = ::read(ready_r.get(), &ok, 1) == 1 && ok == 'y';
  UniqueFd uts(made ? ::open(("/proc/" + std::to_string(maker) + "/ns/uts").c_str(), O_RDONLY | O_CLOEXEC) : -1);
  done_w.reset();
  while (::waitpid(maker, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!made) throw std::runtime_error("cannot make a user namespace for the jail's hostname (allow_set_hostname=1)");
  if (!uts || ::setns(uts.get(), CLONE_NEWUTS) != 0) throw sys_error("cannot join the jail's UTS namespace");
}

// The first child: joins the cgroups, makes the namespaces, forks pid 1
// and leaves, so that the init is nobody's child but the system's.
[[noreturn]] void middle_child(const InitPlan& plan, const std::vector<UniqueFd>& cgroups, int status_fd) {
  try {
    reset_signals();
    ::setsid();
    for (const auto& fd : cgroups) {
      if (!write_all(fd.get(), "0")) throw sys_error("cannot join the jail's cgroup");
    }
    int flags = CLONE_NEWPID | CLONE_NEWNS | plan.ns_flags;
    if (plan.hostname_settable && (flags & CLONE_NEWUTS)) {
      join_settable_uts();
      flags &= ~CLONE_NEWUTS;
    }
    if (::unshare(flags) != 0) throw sys_error("cannot create the namespaces");
    if (plan.ns_flags & CLONE_NEWNET) bring_up_loopback();
    pid_t init = ::fork();
    if (init < 0) throw sys_error("fork");
    if (init == 0) init_child(plan, status_fd);
    report(status_fd, 'P', std::to_string(init));
  } catch (const std::exception& e) {
    report(status_fd, 'E', e.what());
    ::_exit(1);
  }
  ::_exit(0);
}

std::vector<UniqueFd> open_cgroups(const std::vector<std::filesystem::path>& files) {
  std::vector<UniqueFd> out;
  for (const auto& f : files) out.push_back(open_cgroup_join(f));
  return out;
}

}  // namespace

pid_t launch_init(const InitPlan& plan) {
  auto cgroups = open_cgroups(plan.attach_files);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  UniqueFd status_r(fds[0]), status_w(fds[1]);
  pid_t middle = ::fork();
  if (middle < 0) throw sys_error("fork");
  if (middle == 0) {
    status_r.reset();
    middle_child(plan, cgroups, status_w.get());
  }
  status_w.reset();
  int wstatus = 0;
  while (::waitpid(middle, &wstatus, 0) < 0 && errno == EINTR) {
  }

  std::string text;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + plan.ready_timeout;
  auto finished = [&] {
    return text.rfind("R\n", 0) == 0 || text.find("\nR\n") != std::string::npos ||
           (text.rfind("E", 0) == 0 && text.find('\n') != std::string::npos) ||
           text.find("\nE") != std::string::npos;
  };
  while (!finished()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{status_r.get(), POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) break;
    ssize_t n = ::read(status_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }

  pid_t init = 0;
  std::string error;
  bool ready = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) {
      if (line[0] == 'P') init = static_cast<pid_t>(std::stol(line.substr(1)));
      else if (line[0] == 'R') ready = true;
      else if (line[0] == 'E' && error.empty()) error = line.substr(1);
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (ready && init > 0) return init;
  if (init > 0) {
    // Gone before the caller goes on: its cgroups must be empty for
    // limits.remove() and its namespaces released.
    UniqueFd pidfd(open_pidfd(init));
    ::kill(init, SIGKILL);
    pollfd p{pidfd.get(), POLLIN, 0};
    if (pidfd) ::poll(&p, 1, 5000);
  }
  if (error.empty()) error = "the jail's init did not report ready within " + std::to_string(plan.ready_timeout.count()) + " ms";
  throw std::runtime_error(error);
}

sdk::CommandResult run_fresh(const RootSetup& root, const ProcessPlan& plan, bool interactive,
                             std::chrono::milliseconds timeout) {
  ChildIo io(interactive, {});
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  UniqueFd err_r(fds[0]), err_w(fds[1]);
  const pid_t parent = ::getpid();
  pid_t middle = ::fork();
  if (middle < 0) throw sys_error("fork");
  if (middle == 0) {
    // The middle process makes the namespaces (the caller keeps its own)
    // and passes the command's status on; the command dies with it.
    err_r.reset();
    io.drop_parent_ends();
    reset_signals();
    if (interactive) {
      // ^C and ^\ are the command's to handle; this process must outlive them.
      ::signal(SIGINT, SIG_IGN);
      ::signal(SIGQUIT, SIG_IGN);
    }
    if (::unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) != 0) {
      write_all(err_w.get(), std::to_string(errno) + " (creating namespaces)");
      ::_exit(127);
    }
    pid_t cmd = ::fork();
    if (cmd < 0) ::_exit(127);
    if (cmd == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      reset_signals();
      io.install_in_child();
      try {
        enter_new_root(root);
      } catch (const std::exception& e) {
        write_all(err_w.get(), std::to_string(errno ? errno : EIO) + " " + e.what());
        ::_exit(127);
      }
      exec_process(plan, err_w.get());
    }
    err_w.reset();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::getppid() != parent) ::_exit(127);
    int status = 0;
    while (::waitpid(cmd, &status, 0) < 0 && errno == EINTR) {
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  io.parent_after_fork();
  err_w.reset();
  return supervise(middle, io, err_r.get(), timeout, plan.argv.empty() ? "shell" : plan.argv[0]);
}

}  // namespace iocell::plugins::linux_ns
