// The FreeBSD recorder "unionfs": mount_unionfs(8) of the jail's recorded/
// directory above its root, so that every change lands in recorded/.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::unionfs {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::unionfs
