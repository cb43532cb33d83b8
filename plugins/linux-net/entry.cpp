#include "linux-net_plugin.hpp"

IOCELL_PLUGIN("linux-net", "1.0", iocell::sdk::kLinux, iocell::plugins::linux_net::register_plugin)
