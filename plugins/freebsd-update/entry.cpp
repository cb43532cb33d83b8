#include "freebsd_update_plugin.hpp"

IOCELL_PLUGIN("freebsd-update", "1.0", iocell::sdk::kFreeBSD, iocell::plugins::freebsd_update::register_plugin)
