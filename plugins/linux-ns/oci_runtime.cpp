#include "oci_runtime.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "netns.hpp"
#include "ns_util.hpp"
#include "oci_console.hpp"

#include <iocell/sdk/console_socket.hpp>
#include "oci_root.hpp"
#include "process.hpp"

namespace iocell::plugins::linux_ns {

namespace {

namespace so = sdk::oci;
namespace fs = std::filesystem;

constexpr const char* kFifo = "exec.fifo";

int clone_flag(const std::string& type) {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "network") return CLONE_NEWNET;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  throw std::runtime_error("linux.namespaces: '" + type + "' is not supported");
}

std::string env_path(const std::vector<std::string>& env) {
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

ProcessPlan plan_of(const so::Process& p) {
  ProcessPlan plan;
  plan.argv = p.args;
  plan.env = p.env;
  plan.path = env_path(p.env);
  plan.cwd = p.cwd;
  plan.user.uid = p.uid;
  plan.user.gid = p.gid;
  plan.user.name = std::to_string(p.uid);
  plan.groups.push_back(p.gid);
  for (auto g : p.additional_gids) plan.groups.push_back(g);
  // Effective and permitted become the spec's (within its bounding set).
  // A process that switches to another user needs CAP_SETUID and CAP_SETGID
  // for the switch itself (podman gives such a user empty sets): the kernel
  // clears them with the switch to a non-zero uid, and the bounding set is
  // lowered to the spec's before (drop_bounding).
  plan.caps = p.caps_bounding & (p.caps_permitted | p.caps_effective);
  if (p.uid != 0) plan.caps |= (1ULL << CAP_SETUID) | (1ULL << CAP_SETGID);
  return plan;
}

// In the child, before PreparedExec lowers the rest: the spec's bounding set
// exactly, even where the plan keeps more for the user switch.
void drop_bounding(std::uint64_t keep, int last) noexcept {
  for (int cap = 0; cap <= last; ++cap)
    if (!(keep & (1ULL << cap))) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
}

// Where the parent reads what the child reports: "P<pid>", "R", "E<why>".
struct Report {
  pid_t pid = 0;
  bool ready = false;
  std::string error;
};

void report(int fd, char kind, const std::string& text) { write_all(fd, std::string(1, kind) + text + "\n"); }

Report read_report(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  Report r;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) {
      if (line[0] == 'P') r.pid = static_cast<pid_t>(std::stol(line.substr(1)));
      else if (line[0] == 'R') r.ready = true;
      else if (line[0] == 'E' && r.error.empty()) r.error = line.substr(1);
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return r;
}

void apply_limits(const so::Process& p) {
  for (const auto& l : p.rlimits) {
    rlimit r{static_cast<rlim_t>(l.soft), static_cast<rlim_t>(l.hard)};
    if (::setrlimit(static_cast<__rlimit_resource>(l.resource), &r) != 0)
      throw sys_error("process.rlimits: cannot set resource " + std::to_string(l.resource));
  }
  if (p.umask) ::umask(static_cast<mode_t>(*p.umask));
  else ::umask(022);
}

// The program must exist in the container's PATH when create returns, as
// with runc: podman then reports a wrong command at once, not as exit 127.
void check_program(const so::Process& p) {
  const std::string& file = p.args.front();
  if (file.find('/') != std::string::npos) {
    if (::access(file.c_str(), X_OK) == 0) return;
  } else {
    const std::string path = env_path(p.env);
    std::size_t start = 0;
    while (start <= path.size()) {
      const std::size_t colon = path.find(':', start);
      const std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (::access(((dir.empty() ? "." : dir) + "/" + file).c_str(), X_OK) == 0) return;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  throw std::runtime_error("process.args[0] '" + file + "': no such executable in the container (PATH " + env_path(p.env) + ")");
}

bool alive(const so::Handle& h) {
  if (h.pid <= 0) return false;
  auto info = proc_info(h.pid);
  return info && info->start_ticks == h.start_time && info->state != 'Z' && info->state != 'X';
}

// A pidfd for the container's first process, checked against the start
// time recorded at create so that a recycled pid is never signalled.
UniqueFd open_checked(const so::Handle& h) {
  UniqueFd fd(open_pidfd(h.pid));
  if (!fd || !alive(h)) throw std::runtime_error("the container is not running");
  return fd;
}

void join_cgroups(const std::vector<UniqueFd>& cgroups) {
  for (const auto& fd : cgroups)
    if (!write_all(fd.get(), "0")) throw sys_error("cannot join the container's cgroup");
}

std::vector<UniqueFd> open_cgroups(const std::vector<fs::path>& files) {
  std::vector<UniqueFd> out;
  for (const auto& f : files) out.push_back(open_cgroup_join(f));
  return out;
}

[[noreturn]] void container_process(const so::Container& c, bool own_uts, const PreparedExec& prepared, int last,
                                    int status_fd, int fifo_fd, int console_fd) {
  try {
    reset_signals();
    enter_oci_root(c, own_uts);
    check_program(c.process);
    if (c.process.terminal) take_terminal(console_fd);
    if (console_fd >= 0) ::close(console_fd);
    apply_limits(c.process);
  } catch (const std::exception& e) {
    report(status_fd, 'E', e.what());
    ::_exit(1);
  }
  report(status_fd, 'R', "");
  ::close(status_fd);
  char go = 0;
  ssize_t n;
  do {
    n = ::read(fifo_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  ::close(fifo_fd);
  if (n != 1) ::_exit(127);
  if (c.process.no_new_privileges) ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  drop_bounding(c.process.caps_bounding, last);
  prepared.run(2);
}

}  // namespace

so::Handle LinuxOciRuntime::create(const so::Container& c, const fs::path& state_dir, const so::Console& console) {
  int new_flags = 0;
  std::vector<std::pair<UniqueFd, int>> joins;
  for (const auto& ns : c.namespaces) {
    const int flag = clone_flag(ns.type);
    if (ns.path.empty()) {
      new_flags |= flag;
      continue;
    }
    UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw sys_error("linux.namespaces: cannot open " + ns.type + " namespace " + ns.path.string());
    joins.emplace_back(std::move(fd), flag);
  }
  if (!(new_flags & CLONE_NEWNS)) throw std::runtime_error("linux.namespaces: the container needs a new mount namespace");
  if (c.process.terminal && console.socket.empty())
    throw std::runtime_error("process.terminal is set: create needs --console-socket");

  const fs::path fifo = state_dir / kFifo;
  if (::mkfifo(fifo.c_str(), 0600) != 0) throw sys_error("cannot make " + fifo.string());
  // Read and write: the open does not wait for a writer, and the read in
  // the container blocks until start writes (a reader alone would see EOF).
  UniqueFd fifo_fd(::open(fifo.c_str(), O_RDWR | O_CLOEXEC));
  if (!fifo_fd) throw sys_error("cannot open " + fifo.string());
  UniqueFd console_fd;
  if (c.process.terminal) console_fd = sdk::oci::connect_console_socket(console.socket);
  auto cgroups = open_cgroups(c.attach_files);
  const PreparedExec prepared(plan_of(c.process));
  const int last = last_cap();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  UniqueFd status_r(fds[0]), status_w(fds[1]);
  const pid_t middle = ::fork();
  if (middle < 0) throw sys_error("fork");
  if (middle == 0) {
    status_r.reset();
    try {
      join_cgroups(cgroups);
      for (const auto& [fd, flag] : joins)
        if (::setns(fd.get(), flag) != 0) throw sys_error("linux.namespaces: cannot join a namespace");
      if (::unshare(new_flags) != 0) throw sys_error("cannot create the container's namespaces");
      if (new_flags & CLONE_NEWNET) bring_up_loopback();
      const pid_t child = ::fork();
      if (child < 0) throw sys_error("fork");
      if (child == 0) {
        // Everything the runtime opened stays out of the container; its
        // stdin, stdout and stderr are the caller's (conmon's pipes).
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        container_process(c, (new_flags & CLONE_NEWUTS) != 0, prepared, last, status_w.get(), fifo_fd.get(),
                          console_fd.get());
      }
      report(status_w.get(), 'P', std::to_string(child));
    } catch (const std::exception& e) {
      report(status_w.get(), 'E', e.what());
      ::_exit(1);
    }
    ::_exit(0);
  }
  status_w.reset();
  fifo_fd.reset();
  console_fd.reset();
  int ws = 0;
  while (::waitpid(middle, &ws, 0) < 0 && errno == EINTR) {
  }
  const Report r = read_report(status_r.get());
  if (!r.ready || r.pid <= 0) {
    if (r.pid > 0) {
      // Gone before the caller goes on: its cgroups must be empty for the
      // limits plugin to remove them.
      UniqueFd pidfd(open_pidfd(r.pid));
      ::kill(r.pid, SIGKILL);
      pollfd p{pidfd.get(), POLLIN, 0};
      if (pidfd) ::poll(&p, 1, 5000);
    }
    ::unlink(fifo.c_str());
    throw std::runtime_error(r.error.empty() ? "the container's process ended before it was ready" : r.error);
  }
  so::Handle h;
  h.pid = r.pid;
  h.state_dir = state_dir;
  auto info = proc_info(r.pid);
  if (!info) throw std::runtime_error("the container's process ended before it was ready");
  h.start_time = info->start_ticks;
  return h;
}

void LinuxOciRuntime::start(const so::Handle& h) {
  const fs::path fifo = h.state_dir / kFifo;
  UniqueFd fd(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw std::runtime_error("the container was started already");
    if (errno == ENXIO) throw std::runtime_error("the container's process is gone: it cannot start");
    throw sys_error("cannot open " + fifo.string());
  }
  if (!write_all(fd.get(), "0")) throw sys_error("cannot start the container");
  ::unlink(fifo.c_str());
}

so::Status LinuxOciRuntime::status(const so::Handle& h) {
  if (!alive(h)) return so::Status::Stopped;
  return fs::exists(h.state_dir / kFifo) ? so::Status::Created : so::Status::Running;
}

void LinuxOciRuntime::kill(const so::Handle& h, int signal, bool all) {
  UniqueFd pidfd = open_checked(h);
  if (all) {
    const std::uint64_t ns = ns_inode(h.pid, "pid");
    if (DIR* d = ::opendir("/proc")) {
      while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        const pid_t p = static_cast<pid_t>(std::atol(e->d_name));
        if (p != h.pid && ns != 0 && ns_inode(p, "pid") == ns) ::kill(p, signal);
      }
      ::closedir(d);
    }
  }
  if (signal_pidfd(pidfd.get(), signal) != 0) throw sys_error("cannot signal the container");
}

LinuxOciRuntime::ExecResult LinuxOciRuntime::exec(const so::Handle& h, const so::Container& c, const so::Process& p,
                                                  const so::Console& console, bool detach) {
  UniqueFd pidfd = open_checked(h);
  if (p.terminal && console.socket.empty()) throw std::runtime_error("a terminal needs --console-socket");
  // Joined in this order: the mount namespace last, as it changes the root.
  std::vector<std::pair<UniqueFd, int>> joins;
  for (const auto& [name, flag] : {std::pair<const char*, int>{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
                                   {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}}) {
    if (ns_inode(h.pid, name) == ns_inode(::getpid(), name)) continue;
    UniqueFd fd(::open(("/proc/" + std::to_string(h.pid) + "/ns/" + name).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw sys_error(std::string("cannot open the container's ") + name + " namespace");
    joins.emplace_back(std::move(fd), flag);
  }
  if (!alive(h)) throw std::runtime_error("the container is not running");
  UniqueFd console_fd;
  if (p.terminal) console_fd = sdk::oci::connect_console_socket(console.socket);
  auto cgroups = open_cgroups(c.attach_files);
  const PreparedExec prepared(plan_of(p));
  const int last = last_cap();
  int fds[2], errs[2];
  if (::pipe2(fds, O_CLOEXEC) != 0 || ::pipe2(errs, O_CLOEXEC) != 0) throw sys_error("pipe");
  UniqueFd status_r(fds[0]), status_w(fds[1]), err_r(errs[0]), err_w(errs[1]);
  const pid_t middle = ::fork();
  if (middle < 0) throw sys_error("fork");
  if (middle == 0) {
    status_r.reset();
    err_r.reset();
    pid_t child = -1;
    try {
      reset_signals();
      join_cgroups(cgroups);
      for (const auto& [fd, flag] : joins)
        if (::setns(fd.get(), flag) != 0) throw sys_error("cannot enter the container");
      child = ::fork();
      if (child < 0) throw sys_error("fork");
      if (child == 0) {
        status_w.reset();
        try {
          ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
          if (p.terminal) take_terminal(console_fd.get());
          console_fd.reset();
          apply_limits(p);
        } catch (const std::exception& e) {
          write_all(err_w.get(), "0 " + std::string(e.what()));
          ::_exit(127);
        }
        if (p.no_new_privileges) ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        drop_bounding(p.caps_bounding, last);
        prepared.run(err_w.get());
      }
      report(status_w.get(), 'P', std::to_string(child));
    } catch (const std::exception& e) {
      report(status_w.get(), 'E', e.what());
      ::_exit(126);
    }
    status_w.reset();
    err_w.reset();
    if (detach) ::_exit(0);
    int st = 0;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  }
  status_w.reset();
  err_w.reset();
  console_fd.reset();
  const Report r = read_report(status_r.get());
  if (!r.error.empty() || r.pid <= 0) {
    int ws;
    while (::waitpid(middle, &ws, 0) < 0 && errno == EINTR) {
    }
    throw std::runtime_error(r.error.empty() ? "cannot enter the container" : r.error);
  }
  // The exec failure pipe closes when the program is exec'd (or fails).
  std::string failure;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(err_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    failure.append(buf, static_cast<std::size_t>(n));
  }
  int ws = 0;
  while (::waitpid(middle, &ws, 0) < 0 && errno == EINTR) {
  }
  if (!failure.empty()) {
    const std::size_t sp = failure.find(' ');
    int err = 0;
    try {
      err = std::stoi(failure.substr(0, sp));
    } catch (const std::exception&) {
    }
    const std::string what = sp == std::string::npos ? p.args.front() : failure.substr(sp + 1);
    throw std::runtime_error("exec " + what + (err ? std::string(": ") + std::strerror(err) : std::string()));
  }
  ExecResult out;
  out.pid = r.pid;
  if (!detach) out.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  return out;
}

void LinuxOciRuntime::remove(const so::Handle& h, const so::Container& /*c*/) {
  // The mounts lived in the container's mount namespace, gone with its
  // processes; what is left is the start fifo of a container never started.
  ::unlink((h.state_dir / kFifo).c_str());
}

}  // namespace iocell::plugins::linux_ns
