#include "rctl_plugin.hpp"

IOCELL_PLUGIN("rctl", "1.0", iocell::sdk::kFreeBSD, iocell::plugins::rctl::register_plugin)
