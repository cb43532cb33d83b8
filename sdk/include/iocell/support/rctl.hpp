// The rctl(8) resources iocell limits, in the order the property table,
// the man page and the limits plugins list them (freebsd-commands.md §5).
#pragma once

#include <string_view>

namespace iocell::support {

struct RctlResource {
  std::string_view name;
  std::string_view meaning;  ///< what it counts, for the man page
};

inline constexpr RctlResource kRctlResources[] = {
    {"cputime", "CPU time, in seconds."},
    {"datasize", "Data segment size, in bytes."},
    {"stacksize", "Stack size, in bytes."},
    {"coredumpsize", "Core dump size, in bytes."},
    {"memoryuse", "Resident memory, in bytes."},
    {"memorylocked", "Locked memory, in bytes."},
    {"maxproc", "Number of processes."},
    {"openfiles", "Number of open files."},
    {"vmemoryuse", "Address space, in bytes."},
    {"pseudoterminals", "Number of pseudo-terminals."},
    {"swapuse", "Swap space, in bytes."},
    {"nthr", "Number of threads."},
    {"msgqqueued", "Number of queued System V messages."},
    {"msgqsize", "Size of System V message queues, in bytes."},
    {"nmsgq", "Number of System V message queues."},
    {"nsem", "Number of System V semaphores."},
    {"nsemop", "Number of System V semaphores changed in one semop call."},
    {"nshm", "Number of System V shared memory segments."},
    {"shmsize", "Size of System V shared memory, in bytes."},
    {"wallclock", "Wall clock time, in seconds."},
    {"pcpu", "CPU use, in percent of one CPU."},
    {"readbps", "Filesystem reads, in bytes per second."},
    {"writebps", "Filesystem writes, in bytes per second."},
    {"readiops", "Filesystem reads, in operations per second."},
    {"writeiops", "Filesystem writes, in operations per second."},
};

/// The signal actions the kernel knows (sys/kern/kern_rctl.c, actionnames);
/// any other "sigNAME" makes the whole `rctl -a` fail.
inline constexpr std::string_view kRctlSignalActions[] = {
    "sighup",  "sigint",  "sigquit", "sigill",  "sigtrap", "sigabrt",   "sigemt",  "sigfpe",  "sigkill", "sigbus",  "sigsegv",
    "sigsys",  "sigpipe", "sigalrm", "sigterm", "sigurg",  "sigstop",   "sigtstp", "sigchld", "sigttin", "sigttou", "sigio",
    "sigxcpu", "sigxfsz", "sigvtalrm", "sigprof", "sigwinch", "siginfo", "sigusr1", "sigusr2", "sigthr"};

}  // namespace iocell::support
