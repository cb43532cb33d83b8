#include "btrfs_plugin.hpp"
#include "btrfs_storage.hpp"

namespace iocell::plugins::btrfs {

namespace {
std::unique_ptr<sdk::Storage> make_btrfs(const sdk::HostContext& host) { return std::make_unique<BtrfsStorage>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_storage("btrfs", sdk::kLinux, &make_btrfs); }

}  // namespace iocell::plugins::btrfs
