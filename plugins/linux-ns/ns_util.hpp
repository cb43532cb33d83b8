// Small system helpers shared by the linux-ns runtime: errors that carry
// errno, whole-file reads, symlink-free lookups under a directory, and the
// facts /proc gives about a process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <iocell/sdk/safe_root.hpp>
#include <iocell/support/io.hpp>

namespace iocell::plugins::linux_ns {

using sdk::UniqueFd;

using support::sys_error;
using support::write_all;

/// The whole content of a small file, or nullopt when it cannot be read.
inline std::optional<std::string> slurp(const std::string& path) { return support::slurp(path.c_str()); }

/// Opens `rel` below the directory `dirfd` refusing every symbolic link and
/// every ".." that would leave it (openat2 RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH).
/// Throws naming `shown` (the path as the user knows it) on failure.
UniqueFd open_beneath(int dirfd, const std::filesystem::path& rel, int flags, const std::string& shown);

/// Creates the directories of `rel` below `dirfd` that are missing, never
/// following a symbolic link.
void make_dirs_beneath(int dirfd, const std::filesystem::path& rel, const std::string& shown);

/// Facts about a live process, read from /proc.
struct ProcInfo {
  char state = '?';              ///< R, S, D, Z, ...
  std::uint64_t start_ticks = 0; ///< field 22 of /proc/PID/stat
  std::string comm;
};
std::optional<ProcInfo> proc_info(pid_t pid);
/// Inode of /proc/PID/ns/NAME ("pid", "net", ...), 0 when unreadable.
std::uint64_t ns_inode(pid_t pid, const char* ns);
/// /proc/sys/kernel/random/boot_id without the newline.
std::string boot_id();

/// pidfd_open(2) and pidfd_send_signal(2) (glibc 2.36 declares them
/// without C linkage for C++, so they are called as system calls).
int open_pidfd(pid_t pid);
int signal_pidfd(int pidfd, int sig);

/// Opens a cgroup.procs file for a single-threaded process to write "0"
/// into. In cgroup v1 the sibling `tasks` file is opened instead: moving
/// one thread skips the global threadgroup lock, whose writer waits for an
/// RCU grace period, long even on an idle host; the only thread of a freshly
/// forked child is the whole process.
UniqueFd open_cgroup_join(const std::filesystem::path& procs_file);

/// Splits on blanks (spaces and tabs), dropping empty words.
std::vector<std::string> split_blank(const std::string& text);

/// The highest capability number the running kernel knows.
int last_cap();

}  // namespace iocell::plugins::linux_ns
