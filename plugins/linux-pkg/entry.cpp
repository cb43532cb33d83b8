#include "linux_pkg_plugin.hpp"

IOCELL_PLUGIN("linux-pkg", "1.0", iocell::sdk::kLinux, iocell::plugins::linux_pkg::register_plugin)
