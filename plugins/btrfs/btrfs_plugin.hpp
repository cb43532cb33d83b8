// The "btrfs" storage backend (Linux): subvolumes, read-only snapshots,
// writable snapshot clones, exclusive qgroup quotas, send/receive.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::btrfs {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::btrfs
