#include "http_plugin.hpp"

IOCELL_PLUGIN("http", IOCELL_VERSION, iocell::sdk::kAnyOs, iocell::plugins::http::register_plugin);
