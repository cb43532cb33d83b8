// The "rctl" limits: rctl(8) rules and cpuset(1) masks for FreeBSD jails.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::rctl {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::rctl
