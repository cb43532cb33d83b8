#include "zfs_plugin.hpp"
#include "zfs_probe.hpp"
#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {

namespace {
std::unique_ptr<sdk::Storage> make_zfs(const sdk::HostContext& host) {
  return std::make_unique<ZfsStorage>(host, make_system_probe());
}
}  // namespace

// Linux too: a pool of ZFS on Linux or zfs-fuse, chosen with --storage zfs
// (probe() gives 0 there, so it is never the default).
void register_plugin(sdk::Registrar& r) noexcept { r.add_storage("zfs", sdk::kAnyOs, &make_zfs); }

}  // namespace iocell::plugins::zfs
