#include "btrfs_plugin.hpp"

IOCELL_PLUGIN("btrfs", "1.0", iocell::sdk::kLinux, iocell::plugins::btrfs::register_plugin)
