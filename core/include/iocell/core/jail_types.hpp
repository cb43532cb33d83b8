// The core asks a jail type what it is; it never compares type names.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/jail_type.hpp>

namespace iocell::core {

class Context;

/// The jail types the loaded plugins provide for this host, sorted.
std::vector<std::string> jail_type_names(Context& ctx);

/// The type `create` makes: `named` (type=NAME) when given, else the one
/// whose shorthand is `flag`, else the host's default. Refuses (UsageError)
/// an unknown name or letter, listing the available types.
sdk::JailType& create_type(Context& ctx, const std::string& named, char flag);

}  // namespace iocell::core
