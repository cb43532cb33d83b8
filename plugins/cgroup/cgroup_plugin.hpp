// The "cgroup" limits: rctl-style rules of a Linux jail enforced with the
// memory, pids, cpu, cpuacct and cpuset controllers of cgroup v1 or v2.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::cgroup {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::cgroup
