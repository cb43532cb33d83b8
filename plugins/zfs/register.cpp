#include "zfs_plugin.hpp"
#include "zfs_probe.hpp"
#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {

namespace {
std::unique_ptr<sdk::Storage> make_zfs(const sdk::HostContext& host) {
  return std::make_unique<ZfsStorage>(host, make_system_probe());
}
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_storage("zfs", sdk::kFreeBSD, &make_zfs); }

}  // namespace iocell::plugins::zfs
