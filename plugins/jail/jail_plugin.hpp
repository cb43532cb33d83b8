// The "jail" runtime: FreeBSD jails through jail(8), jexec(8) and jls(8).
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::jail {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::jail
