// System-wide defaults (`iocell set p=v default`), kept in <root>/defaults.json.
#pragma once

#include <iocell/core/config_store.hpp>

namespace iocell::core {

class Context;

PropertyValues read_defaults(Context& ctx);
/// Validates every pair first, then writes them all at once.
void write_defaults(Context& ctx, const PropertyValues& changes);

}  // namespace iocell::core
