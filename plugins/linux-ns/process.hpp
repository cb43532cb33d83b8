// One command run inside a jail: what the child does once it is inside
// (credentials, capabilities, environment, exec) and what the parent does
// meanwhile (feed nothing, collect output, enforce a timeout, wait).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>
#include <iocell/sdk/terminal_relay.hpp>

#include "confine.hpp"
#include "ns_util.hpp"
#include "passwd.hpp"

namespace iocell::plugins::linux_ns {

struct ProcessPlan {
  /// Run as is; empty with `login` set: login(1) with login_args if the jail
  /// has it, else the user's shell as a login shell.
  std::vector<std::string> argv;
  bool login = false;
  std::vector<std::string> login_args;
  std::vector<std::string> env;  ///< "NAME=value"
  std::string path;              ///< the PATH searched for argv[0]
  UserEntry user;
  std::vector<gid_t> groups;
  std::string cwd = "/";
  std::uint64_t caps = 0;
  SyscallPolicy syscalls;
};

/// Where the child's stdin, stdout and stderr go.
class ChildIo {
 public:
  /// interactive: a pty or pipes relayed to the caller's descriptors (never
  /// the caller's terminal itself); log_to non-empty: appended to that host
  /// file; otherwise captured through pipes. stdin is /dev/null unless
  /// interactive.
  ChildIo(bool interactive, const std::filesystem::path& log_to);
  /// In the child: installs the descriptors as 0, 1, 2.
  void install_in_child() const;
  /// In the parent after fork: closes the child's ends.
  void parent_after_fork();
  /// In a process between the caller and the child: lets go of the
  /// caller's ends, so that the child sees its input end.
  void drop_parent_ends();
  sdk::TerminalRelay& relay() { return *m_relay; }
  bool captured() const { return bool(m_out_r); }
  int out_fd() const { return m_out_r.get(); }
  int err_fd() const { return m_err_r.get(); }
  bool interactive() const { return m_interactive; }

 private:
  bool m_interactive;
  std::unique_ptr<sdk::TerminalRelay> m_relay;
  UniqueFd m_in, m_out, m_err;
  UniqueFd m_out_r, m_err_r;
};

/// A ProcessPlan turned, in the parent, into everything the child needs:
/// argv and environment arrays, the paths to try, the capability range.
/// run() then allocates nothing and throws nothing, so that it may run in a
/// child sharing the parent's memory (clone with CLONE_VM | CLONE_VFORK:
/// no page tables copied, no copy-on-write faults, the cost of posix_spawn).
class PreparedExec {
 public:
  explicit PreparedExec(const ProcessPlan& plan);
  PreparedExec(const PreparedExec&) = delete;
  PreparedExec& operator=(const PreparedExec&) = delete;

  /// In the child, inside the jail's root: changes directory, joins a
  /// keyring of its own, installs the system call filter, drops
  /// capabilities, switches user and execs. On failure writes "errno what"
  /// to `errfd` and exits 127.
  [[noreturn]] void run(int errfd) const noexcept;

 private:
  /// One program to exec, tried at each of `paths` in turn.
  struct Stage {
    std::vector<std::string> paths;
    std::vector<std::string> args;
    std::vector<char*> argv;
    std::string shown;  ///< named in the failure message
    bool fall_through = false;  ///< on failure go on to the next stage (login -> shell)
  };
  void add_stage(const std::string& file, std::vector<std::string> args, const std::string& path, bool fall_through);

  std::string m_cwd;
  std::uint64_t m_caps;
  int m_last_cap;
  SyscallFilter m_filter;
  bool m_switch_user;
  uid_t m_uid;
  gid_t m_gid;
  std::vector<gid_t> m_groups;
  std::vector<std::string> m_env;
  std::vector<char*> m_envp;
  std::vector<Stage> m_stages;
};

/// The forked-child form: PreparedExec(plan).run(errfd).
[[noreturn]] void exec_process(const ProcessPlan& plan, int errfd);

/// Writes "errno what" to errfd and exits 127, allocating nothing.
[[noreturn]] void fail_in_child(int errfd, int err, const char* what) noexcept;

/// Restores default signal handling (the caller's ignored signals would
/// otherwise survive exec) and unblocks everything.
void reset_signals();

/// In the parent: waits for `child` (pid and pidfd), collecting captured
/// output, enforcing the timeout (SIGTERM, then SIGKILL 2 s later), and
/// reading the exec failure pipe. An interactive child's descriptors are
/// relayed until it exits (sdk::TerminalRelay).
sdk::CommandResult supervise(pid_t child, ChildIo& io, int exec_err_fd, std::chrono::milliseconds timeout,
                             const std::string& shown_command);

}  // namespace iocell::plugins::linux_ns
