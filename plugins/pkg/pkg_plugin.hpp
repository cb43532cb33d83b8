// FreeBSD pkg(8): "pkg" installs packages inside running jails (pkg -j) and
// "pkgbase" updates and upgrades systems whose base is installed as packages.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::pkg {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::pkg
