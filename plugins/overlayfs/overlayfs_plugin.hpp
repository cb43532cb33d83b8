// The Linux recorder "overlayfs": an overlay mounted on the jail's root with
// the root's current state as the lower layer and recorded/ as the upper.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::overlayfs {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::overlayfs
