#include "cgroup_plugin.hpp"

IOCELL_PLUGIN("cgroup", "1.0", iocell::sdk::kLinux, iocell::plugins::cgroup::register_plugin)
