#include "libarchive_plugin.hpp"

IOCELL_PLUGIN("libarchive", IOCELL_VERSION, iocell::sdk::kAnyOs, iocell::plugins::libarchive::register_plugin);
