// The keys FreeBSD-base packages are signed with. pkg reads `fingerprints`
// relative to --rootdir, so iocell always copies the host's key to where pkg
// will look: a release tree it is building, or a directory beside a jail's
// tree (never the jail's own /usr/share/keys).
#pragma once

#include <filesystem>

namespace iocell::plugins::pkg {

/// Where a FreeBSD host keeps pkgbase-<major>.
inline const std::filesystem::path kHostKeys = "/usr/share/keys";

/// host_keys/pkgbase-<major>, the key directory to copy. Throws, naming it,
/// when the host has none: callers check before they change anything.
std::filesystem::path host_pkgbase_key(const std::filesystem::path& host_keys, int major);

}  // namespace iocell::plugins::pkg
