#include "oci_plugin.hpp"

IOCELL_PLUGIN("oci", "1.0", iocell::sdk::kAnyOs, iocell::plugins::oci::register_plugin)
