// Exit codes, documented in docs/exit-codes.md and iocell(8). Stable: scripts
// branch on them.
#pragma once

namespace iocell::cli {
constexpr int kExitSuccess = 0;   ///< success, including "nothing to do"
constexpr int kExitFailure = 1;   ///< the operation failed
constexpr int kExitUsage = 2;     ///< bad syntax or invalid value; nothing changed
constexpr int kExitNotFound = 3;  ///< the target (jail, release, snapshot) does not exist
constexpr int kExitPartial = 4;   ///< a command over several jails failed for some
}  // namespace iocell::cli
