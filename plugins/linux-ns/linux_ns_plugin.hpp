// The "linux-ns" runtime: a jail is a set of Linux namespaces (pid, mount,
// uts, ipc, cgroup and, with vnet=on, net) around a root that is pivoted
// into, kept alive by a small init of iocell's own.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::linux_ns {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::linux_ns
