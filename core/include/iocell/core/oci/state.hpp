// iocell-runtime's state root (--root, /run/iocell-runtime by default): one
// directory per container holding state.json, which the runtime plugin's
// Handle and the few facts `state` prints come from.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/oci.hpp>

namespace iocell::core::oci {

struct ContainerState {
  std::string id;
  sdk::oci::Handle handle;
  std::filesystem::path bundle;
  std::filesystem::path rootfs;
  std::string created;  ///< RFC 3339, UTC
  std::string cgroups_path;
  /// cgroup.procs files of the container's groups: exec joins them too.
  std::vector<std::filesystem::path> attach_files;
  std::map<std::string, std::string> annotations;
};

/// Container ids podman and containerd make are [A-Za-z0-9_.+-]+; anything
/// else (a '/', '..') is refused with UsageError naming it.
void check_id(const std::string& id);

class StateRoot {
 public:
  explicit StateRoot(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path container_dir(const std::string& id) const { return m_dir / id; }
  /// Makes the container's directory (mode 0700); throws Refused when the id is taken.
  std::filesystem::path claim(const std::string& id);
  void save(const ContainerState& st) const;
  /// Throws NotFound ("container X does not exist").
  ContainerState load(const std::string& id) const;
  std::optional<ContainerState> find(const std::string& id) const;
  std::vector<ContainerState> all() const;
  void remove(const std::string& id) const;

 private:
  std::filesystem::path m_dir;
};

/// iocell-runtime's state root when --root is not given: $IOCELL_OCI_ROOT,
/// else /run/iocell-runtime. `iocell list` reads the same one.
std::filesystem::path default_state_root();

/// Throws core::Refused when `word` names (or is a prefix of at least four
/// characters of) a container in the default state root: the OCI engine
/// that made it (podman) owns it while its state exists, and iocell's own
/// commands must not modify it. Returns when it names none.
void refuse_if_container(const std::string& word);

/// Writes `text` to `file` through a temporary name and a rename, so that a
/// reader (conmon, podman) never sees it half written.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace iocell::core::oci
