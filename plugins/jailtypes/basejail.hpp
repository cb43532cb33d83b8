// `create -b`: the release's system directories are shared read-only and
// re-attached at every start; etc, var, root, usr/local and the rest are
// the jail's own copies, made at provision.
//
// On ZFS: read-only clones of base/<release>/root/<dir>@<uuid>, destroyed
// and re-cloned at every start so that a patched base reaches every jail.
// Elsewhere: read-only bind (Linux) or nullfs (FreeBSD) mounts of
// releases/<release>/root/<dir>, made before start and removed after stop.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail_type.hpp>

#include "base_mounts.hpp"

namespace iocell::plugins::jailtypes {

/// The shared system directories (iocell-behaviour.md §4.2), in mount order.
const std::vector<std::string>& base_dirs();
/// Those of base_dirs() that are real directories of the release at `root`.
std::vector<std::string> shared_dirs(const std::filesystem::path& release_root);

class BaseJail : public sdk::JailType {
 public:
  explicit BaseJail(const sdk::HostContext& host) : m_host(host), m_mounts(host) {}
  std::string name() const override { return "basejail"; }
  char create_flag() const override { return 'b'; }
  sdk::SystemUpdates system_updates() const override { return sdk::SystemUpdates::SharedRelease; }
  sdk::ReleaseChange release_change() const override { return sdk::ReleaseChange::Fetched; }
  void provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) override;
  void before_start(sdk::Storage& storage, const sdk::JailSpec& spec) override;
  void after_stop(sdk::Storage& storage, const sdk::JailSpec& spec) override;
  void after_destroy(sdk::Storage& storage, const sdk::JailSpec& spec) override;

 private:
  static bool per_dir_clones(sdk::Storage& storage) { return storage.name() == "zfs"; }
  static std::string release_dataset(const sdk::JailSpec& spec);
  /// ZFS: base/<release>/root/<dir> datasets, filled from the release once.
  void build_base(sdk::Storage& storage, const std::string& release, const std::string& release_dataset,
                  const std::vector<std::string>& dirs);
  void reclone(sdk::Storage& storage, const std::string& jail_dataset, const std::string& release,
               const std::string& uuid, const std::vector<std::string>& dirs);

  sdk::HostContext m_host;
  BaseMounter m_mounts;
};

}  // namespace iocell::plugins::jailtypes
