#include "dir_plugin.hpp"

IOCELL_PLUGIN("dir", "1.0", iocell::sdk::kAnyOs, iocell::plugins::dir::register_plugin)
