#include "unionfs_plugin.hpp"

IOCELL_PLUGIN("unionfs", "1.0", iocell::sdk::kFreeBSD, iocell::plugins::unionfs::register_plugin)
