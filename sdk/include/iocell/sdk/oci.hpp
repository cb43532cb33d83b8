// The OCI runtime contract (podman, containerd): a bundle's config.json,
// parsed once by the core into the description below, is handed to the
// runtime plugin of this host through Runtime::oci(). The plugin never reads
// JSON and the core never names a runtime.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/export.hpp>

namespace iocell::sdk::oci {

struct Mount {
  std::string destination;  ///< absolute, inside the container
  std::string type;         ///< "bind", "proc", "tmpfs", "sysfs", "devpts", "mqueue", "cgroup", ...
  std::string source;
  std::vector<std::string> options;  ///< as given: "ro", "nosuid", "rbind", "mode=755", ...
};

struct Rlimit {
  int resource = 0;  ///< RLIMIT_* of this host
  std::uint64_t soft = 0, hard = 0;
};

struct Process {
  std::vector<std::string> args;
  std::vector<std::string> env;  ///< "NAME=value"
  std::string cwd = "/";
  std::uint32_t uid = 0, gid = 0;
  std::vector<std::uint32_t> additional_gids;
  std::optional<std::uint32_t> umask;
  bool terminal = false;
  std::vector<Rlimit> rlimits;
  /// Bit N = capability N. The spec's five sets; a Linux host applies them
  /// as given, a FreeBSD host refuses any.
  std::uint64_t caps_bounding = 0, caps_effective = 0, caps_permitted = 0, caps_inheritable = 0, caps_ambient = 0;
  bool no_new_privileges = false;
};

/// A namespace the container gets: a new one, or (path non-empty) one that
/// exists already and is joined.
struct Namespace {
  std::string type;  ///< "pid", "network", "mount", "ipc", "uts", "cgroup"
  std::filesystem::path path;
};

struct Container {
  std::string id;
  std::filesystem::path bundle;
  std::filesystem::path root;  ///< absolute (made so against the bundle)
  bool root_readonly = false;
  std::string hostname;
  Process process;
  std::vector<Mount> mounts;
  std::vector<Namespace> namespaces;
  std::vector<std::string> masked_paths, readonly_paths;
  std::map<std::string, std::string> sysctl;
  std::string cgroups_path;  ///< as given; informational (the groups are the limits plugin's)
  /// cgroup.procs files the container's first process joins before its
  /// namespaces exist: linux.resources goes through the host's limits
  /// plugin, which the core asks for these (sdk/limits.hpp, prepare).
  std::vector<std::filesystem::path> attach_files;
  /// FreeBSD: the spec's freebsd.jail section as jail(8) parameters.
  std::map<std::string, std::string> jail_params;
};

/// Where a created or exec'd process's terminal goes: with terminal set, the
/// runtime makes a pty and sends its master to this AF_UNIX socket
/// (SCM_RIGHTS, as runc's --console-socket).
struct Console {
  std::filesystem::path socket;
};

/// What the runtime returns about a created container; the core keeps it in
/// its state file and hands it back to every later call.
struct Handle {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  ///< the kernel's start time of pid: tells a recycled pid apart
  std::filesystem::path state_dir;
};

enum class Status { Created, Running, Stopped };

class IOCELL_SDK_EXPORT Runtime {
 public:
  virtual ~Runtime() = default;
  /// Builds the container and leaves its process blocked before it execs
  /// the user's program, until start(). Its stdin/out/err are the caller's
  /// (conmon's pipes) unless c.process.terminal. `state_dir` is the core's
  /// directory of this container (the runtime may keep files there). The
  /// process is a descendant of the caller, so that a subreaper above (conmon)
  /// collects its exit status. Throws, naming the field or step, when it
  /// could not; nothing is left then.
  virtual Handle create(const Container& c, const std::filesystem::path& state_dir, const Console& console) = 0;
  /// Lets the created process exec the user's program.
  virtual void start(const Handle& h) = 0;
  virtual Status status(const Handle& h) = 0;
  /// `all`: every process of the container, else its first process.
  virtual void kill(const Handle& h, int signal, bool all) = 0;
  /// Runs `p` inside the container. detach: returns once it runs, with its
  /// pid (a descendant of the caller); else waits and returns its exit status
  /// as a shell shows it (128+N for signal N) with the pid it had.
  struct ExecResult {
    pid_t pid = 0;
    int status = 0;
  };
  virtual ExecResult exec(const Handle& h, const Container& c, const Process& p, const Console& console,
                          bool detach) = 0;
  /// Removes what create made outside the state dir (cgroups, mounts). The
  /// container's processes are gone (the core killed them and waited).
  virtual void remove(const Handle& h, const Container& c) = 0;
};

}  // namespace iocell::sdk::oci
