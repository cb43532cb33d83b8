#include "enter.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace iocell::plugins::linux_ns {

namespace {

// What the child needs, all prepared by the parent: the child runs on its
// own small stack in the parent's memory and must not allocate.
struct EnterArgs {
  const ChildIo* io;
  const std::vector<UniqueFd>* cgroups;
  int pidfd;
  int rootfd;
  int err_w;
  const PreparedExec* exec;
};

int enter_and_exec(void* p) {
  const auto& a = *static_cast<const EnterArgs*>(p);
  reset_signals();
  a.io->install_in_child();
  for (const auto& fd : *a.cgroups) {
    if (::write(fd.get(), "0", 1) != 1) fail_in_child(a.err_w, errno, "(joining the jail's cgroups)");
  }
  if (::setns(a.pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP) != 0)
    fail_in_child(a.err_w, errno, "(entering the jail's namespaces)");
  if (::fchdir(a.rootfd) != 0 || ::chroot(".") != 0) fail_in_child(a.err_w, errno, "(entering the jail's root)");
  a.exec->run(a.err_w);
}

// The child's stack: plenty for chdir, prctl, setns and execve.
class ChildStack {
 public:
  static constexpr std::size_t kSize = 256 * 1024;
  ChildStack() : m_base(::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) {
    if (m_base == MAP_FAILED) throw sys_error("cannot map a stack for the child");
  }
  ~ChildStack() { ::munmap(m_base, kSize); }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  void* top() const { return static_cast<char*>(m_base) + kSize; }

 private:
  void* m_base;
};

}  // namespace

sdk::CommandResult run_entered(pid_t init, int pidfd, const std::vector<std::filesystem::path>& attach_files,
                               const ProcessPlan& plan, bool interactive, const std::filesystem::path& log_to,
                               std::chrono::milliseconds timeout) {
  UniqueFd rootfd(::open(("/proc/" + std::to_string(init) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) throw sys_error("cannot reach the root of the jail's init " + std::to_string(init));
  std::vector<UniqueFd> cgroups;
  for (const auto& f : attach_files) cgroups.push_back(open_cgroup_join(f));
  UniqueFd own_pidns(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
  if (!own_pidns) throw sys_error("cannot open this process's pid namespace");
  ChildIo io(interactive, log_to);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  UniqueFd err_r(fds[0]), err_w(fds[1]);
  const PreparedExec exec(plan);
  ChildStack stack;
  EnterArgs args{&io, &cgroups, pidfd, rootfd.get(), err_w.get(), &exec};

  // Like posix_spawn: the child shares this memory until it execs (no page
  // tables to copy, no copy-on-write faults on either side) and this thread
  // waits meanwhile. Signals stay blocked across the clone so that no
  // handler of the parent ever runs on the child's stack; the child resets
  // them all before it unblocks.
  if (::setns(pidfd, CLONE_NEWPID) != 0) throw sys_error("cannot enter the jail's pid namespace");
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &old);
  const pid_t child = ::clone(enter_and_exec, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (::setns(own_pidns.get(), CLONE_NEWPID) != 0) {
    // Later forks of this process would land in the jail: there is no way on.
    ::perror("iocell: cannot return to the host's pid namespace");
    ::abort();
  }
  if (child < 0) {
    errno = clone_errno;
    throw sys_error("cannot start a process in the jail");
  }
  io.parent_after_fork();
  err_w.reset();
  return supervise(child, io, err_r.get(), timeout, plan.argv.empty() ? "login" : plan.argv[0]);
}

}  // namespace iocell::plugins::linux_ns
