// Linux "pkg": installs packages with the jail's own package tool (apk,
// apt-get, dnf), run inside the jail through the runtime.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::linux_pkg {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::linux_pkg
