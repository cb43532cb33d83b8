#include "zfs_plugin.hpp"

IOCELL_PLUGIN("zfs", "1.0", iocell::sdk::kAnyOs, iocell::plugins::zfs::register_plugin)
