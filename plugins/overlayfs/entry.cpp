#include "overlayfs_plugin.hpp"

IOCELL_PLUGIN("overlayfs", "1.0", iocell::sdk::kLinux, iocell::plugins::overlayfs::register_plugin)
