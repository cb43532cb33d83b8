// The "zfs" storage backend (FreeBSD): datasets under <pool>/iocell.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::zfs {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::zfs
