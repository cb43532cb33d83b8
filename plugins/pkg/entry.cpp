#include "pkg_plugin.hpp"

IOCELL_PLUGIN("pkg", "1.0", iocell::sdk::kFreeBSD, iocell::plugins::pkg::register_plugin)
