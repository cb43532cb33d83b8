// Running a command inside a running jail: the caller points its pid
// namespace for children at the jail's, forks once, and points it back; the
// child joins the jail's cgroups and remaining namespaces (setns on the
// init's pidfd), chroots to the init's root and execs. No helper program
// (nsenter) runs: the only process created is the command.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <vector>

#include <iocell/sdk/command.hpp>

#include "process.hpp"

namespace iocell::plugins::linux_ns {

/// `pidfd` refers to the jail's init (already verified by the caller).
sdk::CommandResult run_entered(pid_t init, int pidfd, const std::vector<std::filesystem::path>& attach_files,
                               const ProcessPlan& plan, bool interactive, const std::filesystem::path& log_to,
                               std::chrono::milliseconds timeout);

}  // namespace iocell::plugins::linux_ns
