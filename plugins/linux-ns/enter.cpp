#include "enter.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

namespace iocell::plugins::linux_ns {

namespace {

[[noreturn]] void give_up(int errfd, const std::string& what) {
  write_all(errfd, std::to_string(errno) + " " + what);
  ::_exit(127);
}

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

  if (::setns(pidfd, CLONE_NEWPID) != 0) throw sys_error("cannot enter the jail's pid namespace");
  pid_t child = ::fork();
  const int fork_errno = errno;
  if (child != 0 && ::setns(own_pidns.get(), CLONE_NEWPID) != 0) {
    // Later forks of this process would land in the jail: there is no way on.
    ::perror("iocell: cannot return to the host's pid namespace");
    ::abort();
  }
  if (child < 0) {
    errno = fork_errno;
    throw sys_error("cannot fork into the jail");
  }
  if (child == 0) {
    err_r.reset();
    reset_signals();
    io.install_in_child();
    for (const auto& fd : cgroups) {
      if (!write_all(fd.get(), "0")) give_up(err_w.get(), "(joining the jail's cgroups)");
    }
    if (::setns(pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP) != 0)
      give_up(err_w.get(), "(entering the jail's namespaces)");
    if (::fchdir(rootfd.get()) != 0 || ::chroot(".") != 0) give_up(err_w.get(), "(entering the jail's root)");
    exec_process(plan, err_w.get());
  }
  io.parent_after_fork();
  err_w.reset();
  return supervise(child, io, err_r.get(), timeout, plan.argv.empty() ? "login" : plan.argv[0]);
}

}  // namespace iocell::plugins::linux_ns
