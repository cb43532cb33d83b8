// What iocell-runtime does for each command of the OCI runtime command line,
// over the runtime plugin of this host (sdk::Runtime::oci()) and its limits
// plugin (linux.resources). The CLI (cli/oci_runtime.cpp) only parses flags
// and reports errors.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <iocell/core/oci/spec.hpp>
#include <iocell/core/oci/state.hpp>
#include <iocell/core/plugin_manager.hpp>
#include <iocell/sdk/host.hpp>
#include <iocell/sdk/limits.hpp>
#include <iocell/sdk/oci.hpp>
#include <iocell/sdk/runtime.hpp>

namespace iocell::core::oci {

class Engine {
 public:
  explicit Engine(std::filesystem::path state_root);
  ~Engine();

  /// Builds the container from bundle/config.json and leaves it created;
  /// returns the fields accepted without effect, for the log.
  std::vector<std::string> create(const std::string& id, const std::filesystem::path& bundle,
                                  const std::filesystem::path& console_socket, const std::filesystem::path& pid_file);
  void start(const std::string& id);
  /// The runtime spec's state object.
  nlohmann::json state(const std::string& id);
  void kill(const std::string& id, int signal, bool all);
  /// Stops every process of a running container with SIGSTOP (no freezer
  /// cgroup: the limits plugin keeps none) and marks it paused; resume
  /// continues them with SIGCONT.
  void pause(const std::string& id);
  void resume(const std::string& id);
  /// A created or running container is refused unless `force` (then it is
  /// killed first). A container that does not exist is an error unless `force`.
  void remove(const std::string& id, bool force);
  sdk::oci::Runtime::ExecResult exec(const std::string& id, const sdk::oci::Process& process,
                                     const std::filesystem::path& console_socket, bool detach,
                                     const std::filesystem::path& pid_file);
  /// The container's own process description (for exec without --process).
  sdk::oci::Process process_of(const std::string& id);
  /// Every container of the state root with its status (for list).
  std::vector<std::pair<ContainerState, sdk::oci::Status>> containers();

  StateRoot& states() { return m_states; }

 private:
  sdk::oci::Runtime& runtime();
  /// The limits plugin of this host, nullptr when there is none.
  sdk::Limits* limits();
  sdk::JailSpec limits_spec(const std::string& id) const;
  /// limits->remove, retried briefly: a group empties only as its last
  /// process exits, which may be a moment after the kill.
  void remove_limits(sdk::Limits& lim, const std::string& id);

  StateRoot m_states;
  std::unique_ptr<sdk::CommandRunner> m_runner;
  sdk::HostContext m_host;
  std::unique_ptr<PluginManager> m_plugins;
  std::unique_ptr<sdk::Runtime> m_runtime;
  std::unique_ptr<sdk::Limits> m_limits;
  bool m_limits_looked = false;
};

const char* to_string(sdk::oci::Status s);
/// "TERM", "SIGTERM", "15" -> 15; nullopt when unknown on this host.
std::optional<int> signal_number(const std::string& name);

}  // namespace iocell::core::oci
