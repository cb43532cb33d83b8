#include "jail_plugin.hpp"

IOCELL_PLUGIN("jail", "1.0", iocell::sdk::kFreeBSD, iocell::plugins::jail::register_plugin)
