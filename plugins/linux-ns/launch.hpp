// Making namespaces: the long-lived init of a started jail, and the
// throw-away namespaces of `iocell chroot`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <iocell/sdk/command.hpp>

#include "confine.hpp"
#include "mounts.hpp"
#include "process.hpp"

namespace iocell::plugins::linux_ns {

struct InitPlan {
  RootSetup root;
  int ns_flags = 0;  ///< CLONE_NEW* beyond pid and mount
  /// The jail's root may set its hostname (allow_set_hostname): its UTS
  /// namespace then belongs to a user namespace of its own (launch.cpp).
  bool hostname_settable = false;
  /// cgroup.procs files the init joins before its namespaces exist.
  std::vector<std::filesystem::path> attach_files;
  std::uint64_t caps = 0;
  SyscallPolicy syscalls;
  std::chrono::milliseconds stop_timeout{30000};
  std::chrono::milliseconds ready_timeout{30000};
};

/// Starts the jail's init (a grandchild, in its own session, sharing no
/// descriptor with the caller) and returns its host pid once the root is
/// built and the init waits for signals. Throws with the reason when the
/// jail could not be built; nothing is left running then.
pid_t launch_init(const InitPlan& plan);

/// Runs a command as pid 1 of fresh pid, mount, uts, ipc and net
/// namespaces pivoted into the root (no network, no fstab, no init).
sdk::CommandResult run_fresh(const RootSetup& root, const ProcessPlan& plan, bool interactive,
                             std::chrono::milliseconds timeout);

}  // namespace iocell::plugins::linux_ns
