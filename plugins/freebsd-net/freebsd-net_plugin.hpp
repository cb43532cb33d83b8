// FreeBSD networking for jails: "shared-ip" (ip4.addr aliases on a host
// interface) and "vnet-bridge" (an epair(4) per interface, the host end in an
// if_bridge(4), the jail end inside the jail's own network stack); and the
// "pf" port forwarder (an anchor per jail, pf_forwarder.hpp).
#pragma once

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::freebsd_net {

void register_plugin(iocell::sdk::Registrar& r) noexcept;

}  // namespace iocell::plugins::freebsd_net
