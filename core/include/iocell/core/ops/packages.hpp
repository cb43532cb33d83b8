// pkglist=FILE: packages installed inside the jail at creation.
#pragma once

#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

/// One package name per line; blank lines and '#' comments skipped. Names
/// are checked (no whitespace inside, no leading '-') so none becomes a flag.
std::vector<std::string> read_pkglist(const std::string& file);
/// Starts the jail when it is down, installs inside it (confined by the
/// jail), and stops it again if it was down.
void install_packages(Context& ctx, const JailRecord& rec, const std::vector<std::string>& names);

}  // namespace iocell::core
