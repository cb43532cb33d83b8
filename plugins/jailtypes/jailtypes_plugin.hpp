// The built-in jail types: thickjail, clonejail, basejail, emptyjail.
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::jailtypes {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::jailtypes
