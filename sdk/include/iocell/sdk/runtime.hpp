// Runtimes: jail(8) on FreeBSD, namespaces (linux-ns) on Linux.
#pragma once

#include <cstddef>
#include <iocell/sdk/export.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>
#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

namespace oci {
class Runtime;
}

struct ExecRequest {
  std::vector<std::string> argv;  ///< run as is: no shell is added
  std::string user;               ///< -u USER: looked up in the host's passwd
  std::string jail_user;          ///< -U USER: looked up in the jail's passwd
  bool interactive = false;       ///< relayed to the caller's stdin/out/err, never its terminal (sdk/terminal_relay.hpp)
  bool login = false;             ///< a login shell with a clean environment (console)
  /// Non-empty: stdout and stderr are appended to this host file (exec_start
  /// and exec_stop write the console log this way).
  std::filesystem::path log_to;
  std::map<std::string, std::string> env;
};

class IOCELL_SDK_EXPORT Runtime {
 public:
  virtual ~Runtime() = default;
  virtual std::string name() const = 0;
  /// The longest host name (bytes, without a terminating NUL) a jail of
  /// this runtime can be given: the core refuses longer ones when they are
  /// set, instead of at the next start.
  virtual std::size_t hostname_max() const = 0;

  /// Creates the kernel jail from a fully resolved spec: root, hostname,
  /// params contributed by network and limit plugins, devfs, fstab mounts.
  /// It starts nothing inside (the core runs exec_start itself) and keeps the
  /// jail alive with no process in it (persist / an init of its own).
  virtual RunState create(JailSpec& spec) = 0;
  /// Kills every process of the jail (SIGTERM, stop_timeout, SIGKILL),
  /// removes the kernel jail and undoes the mounts create made.
  virtual void destroy(const JailSpec& spec, const RunState& state) = 0;
  /// Every iocell jail (name "ioc-*") the kernel knows, in one query.
  virtual std::vector<RunState> running() = 0;
  /// One jail ("ioc-<uuid>"), or nothing when it is not running. The
  /// default filters running(); a runtime that can ask about one jail alone
  /// overrides it, so that a command on one jail costs the same with a
  /// thousand others running.
  virtual std::optional<RunState> state(const std::string& name) {
    for (auto& st : running())
      if (st.name == name) return st;
    return std::nullopt;
  }
  /// Runs a command inside the running jail. Returns its result (captured
  /// output unless interactive or log_to).
  virtual CommandResult exec(const JailSpec& spec, const RunState& state, const ExecRequest& req) = 0;
  /// Kills every process of the jail except what keeps it alive (warm restart).
  virtual void kill_processes(const JailSpec& spec, const RunState& state) = 0;
  /// Changes a kernel parameter of a running jail (allow_* on FreeBSD, jail -m).
  /// Throws when the runtime cannot change that parameter live.
  virtual void set_live(const JailSpec& spec, const RunState& state, const std::string& property,
                        const std::string& value) = 0;
  /// Runs a command chrooted into a stopped jail's root (no network, no init).
  virtual CommandResult chroot(const JailSpec& spec, const ExecRequest& req) = 0;
  /// Throws, naming the line, when the jail's fstab `text` (its whole new
  /// content) holds an entry this runtime could not mount at start; the
  /// `fstab` command asks before it writes the file.
  virtual void check_fstab(const JailSpec& /*spec*/, const std::string& /*text*/) {}
  /// The OCI runtime side of this runtime (sdk/oci.hpp: what podman drives
  /// through iocell-runtime), or nullptr when it has none. Owned by this object.
  virtual oci::Runtime* oci() { return nullptr; }
};

}  // namespace iocell::sdk
