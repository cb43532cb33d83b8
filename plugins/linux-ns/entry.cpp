#include "linux_ns_plugin.hpp"

IOCELL_PLUGIN("linux-ns", "1.0", iocell::sdk::kLinux, iocell::plugins::linux_ns::register_plugin)
