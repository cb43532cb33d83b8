// Applying one layer to a jail root: its whiteouts first, then its files
// through the host's archiver (libarchive's secure flags: no "..", no
// absolute path, nothing through a symbolic link, no device node).
#pragma once

#include <iocell/sdk/archive.hpp>
#include <iocell/sdk/safe_root.hpp>

#include "oci_image_layout.hpp"

namespace iocell::plugins::oci {

/// Reads the layer once to list its whiteouts and check its size and
/// sha256 (nothing is written before both hold), applies the whiteouts,
/// then extracts the rest with `policy`. Throws naming the layer and the
/// entry at fault.
sdk::ExtractStats apply_layer(sdk::Archiver& archiver, const sdk::SafeRoot& root, LayerBlob& layer,
                              const sdk::ExtractPolicy& policy);

}  // namespace iocell::plugins::oci
