// The core's name for the SDK's SHA-256 (support/sha256.hpp), which plugins
// share: one implementation for release manifests and OCI image digests.
#pragma once

#include <iocell/support/sha256.hpp>

namespace iocell::core {

using support::Sha256;

}  // namespace iocell::core
