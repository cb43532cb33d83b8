#include "freebsd-net_plugin.hpp"

IOCELL_PLUGIN("freebsd-net", "1.0", iocell::sdk::kFreeBSD, iocell::plugins::freebsd_net::register_plugin)
