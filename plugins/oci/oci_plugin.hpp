// The oci jail type: a jail whose root is built from an OCI image (an image
// layout directory, an oci-archive or a docker-archive tarball).
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::oci {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::oci
