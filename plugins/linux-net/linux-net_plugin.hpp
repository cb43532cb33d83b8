// Linux networking of jails through iproute2: "shared-ip" (aliases on host
// interfaces, the jail shares the host's network namespace) and
// "vnet-bridge" (a veth pair per interface, the jail end in the jail's own
// network namespace, the host end on a Linux bridge); and the "nftables"
// port forwarder (a chain per jail in a table of its own, nft_forwarder.hpp).
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::linux_net {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::linux_net
