#include "jailtypes_plugin.hpp"

IOCELL_PLUGIN("jailtypes", "1.0", iocell::sdk::kAnyOs, iocell::plugins::jailtypes::register_plugin)
