// Running jails: start, stop, warm restart, exec, console, chroot, boot.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>
#include <iocell/sdk/runtime.hpp>

namespace iocell::core {

class Context;

/// Running jails by UUID, from one kernel query.
std::map<std::string, sdk::RunState> running_jails(Context& ctx);
std::optional<sdk::RunState> run_state(Context& ctx, const JailRecord& rec);

enum class Outcome { Done, AlreadyThere };

/// Starts the jail, after the jails it depends on (each started when down
/// and awaited until its healthcheck succeeds).
Outcome start_jail(Context& ctx, const JailRecord& rec, bool force_template = false);
/// Starts the jail alone, its dependencies untouched.
Outcome start_one(Context& ctx, const JailRecord& rec, bool force_template = false);
Outcome stop_jail(Context& ctx, const JailRecord& rec);
/// Warm restart: exec_stop inside, kill the jail's processes, exec_start
/// again; the kernel jail and its network stay up. A stopped jail is started.
void restart_jail(Context& ctx, const JailRecord& rec);

/// Runs argv inside a running jail on the caller's terminal; returns its
/// exit status.
int exec_in_jail(Context& ctx, const JailRecord& rec, const sdk::ExecRequest& req);
int console(Context& ctx, const JailRecord& rec);
/// A command (default: a shell) in a stopped jail or template.
int chroot_jail(Context& ctx, const JailRecord& rec, std::vector<std::string> argv);

/// Starts boot=on jails by priority (lower first, one priority in parallel);
/// a failure is reported and does not stop the others. Returns the number
/// of jails that failed.
int rcboot(Context& ctx);
int rcshutdown(Context& ctx);

/// A jail's root mounted for one piece of work on its files, and unmounted
/// after it when it was not mounted before: a stopped jail holds no mounts,
/// and a write to the unmounted root of a clone would hide under its next
/// mount. A running jail's root is mounted, and is left alone.
class StoppedRootMount {
 public:
  StoppedRootMount(Context& ctx, const JailRecord& rec);
  ~StoppedRootMount();
  StoppedRootMount(const StoppedRootMount&) = delete;
  StoppedRootMount& operator=(const StoppedRootMount&) = delete;

 private:
  Context& m_ctx;
  std::string m_dataset;
  bool m_mounted = false;
};

/// Runs an exec_*-style command line inside a running jail as its
/// exec_jail_user, its output going to the console log.
sdk::CommandResult run_jail_command(Context& ctx, const sdk::JailSpec& spec, const sdk::RunState& state, const std::string& command);

/// jail(8) semantics for exec.* strings: with shell metacharacters the value
/// runs under /bin/sh -c, otherwise it is split on blanks.
std::vector<std::string> split_exec_command(const std::string& value);

}  // namespace iocell::core
