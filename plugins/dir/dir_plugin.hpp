// The "dir" storage backend: plain directories, portable, the embedded default.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::dir {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::dir
