// The jail's network namespace: whether it gets one, and its loopback.
#pragma once

#include <iocell/sdk/properties.hpp>

namespace iocell::plugins::linux_ns {

/// True unless the jail opted into the host's stack with ip4=inherit or
/// ip6=inherit (vnet=off only). One Linux namespace carries both families,
/// so inheriting either shares both: FreeBSD's jail(8) keeps them apart, Linux
/// cannot. Every other jail gets a namespace of its own in which only the
/// addresses its network plugin moves in exist (none for ip4_addr=none).
bool jail_has_own_netns(const sdk::PropertyMap& props);

/// Brings `lo` of the calling process's network namespace up: a fresh
/// namespace has it down, and a jail's own 127.0.0.1 and ::1 must work as
/// on a FreeBSD host. Throws with errno when the kernel refuses.
void bring_up_loopback();

}  // namespace iocell::plugins::linux_ns
