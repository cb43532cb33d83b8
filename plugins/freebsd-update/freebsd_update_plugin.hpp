// The "freebsd-update" updater: binary patches and upgrades of dist-set
// FreeBSD systems (releases and jails) with freebsd-update(8).
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::freebsd_update {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::freebsd_update
