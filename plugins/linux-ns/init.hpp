// iocell's own pid 1 of a jail: it keeps the namespaces alive with nothing
// else running, reaps orphans, and obeys only signals sent from the host
// (a jailed root can signal pid 1 too; the kernel reports those with the
// sender's pid, host senders with pid 0):
//   SIGTERM  terminate every process, wait (sigqueue value = milliseconds,
//            else the stop_timeout given at create), SIGKILL the rest, exit;
//   SIGUSR1  SIGTERM every other process of the jail (warm restart);
//   SIGUSR2  SIGKILL every other process of the jail.
// Its working directory is the jail's own /proc, so that the host can list
// the jail's processes through /proc/<init>/cwd whatever the jail mounts.
#pragma once

#include <chrono>

namespace iocell::plugins::linux_ns {

inline constexpr const char* kInitName = "iocell-init";

/// Never returns. `procfd` is the jail's /proc.
[[noreturn]] void run_init(int procfd, std::chrono::milliseconds default_stop_timeout);

}  // namespace iocell::plugins::linux_ns
