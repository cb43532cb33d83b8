// Which capabilities a jail's processes keep. The set is an allow list in the
// spirit of FreeBSD's jail privileges: root inside may own files, switch
// users, bind low ports and signal its own processes, but not load modules,
// touch raw I/O, set the clock, trace processes iocell itself runs inside the
// jail, or (without allow_mount=1) mount. allow_* properties add powers back.
#pragma once

#include <cstdint>

#include <iocell/sdk/properties.hpp>

namespace iocell::plugins::linux_ns {

/// Bit mask (bit N = capability N) of what a jail with these properties keeps.
std::uint64_t jail_capabilities(const sdk::PropertyMap& props);

/// Drops every capability outside `keep` from the bounding set and lowers
/// the caller's effective, permitted and inheritable sets to `keep`
/// (ambient cleared). Throws on failure. Called in processes that are about
/// to become part of the jail.
void restrict_capabilities(std::uint64_t keep);
/// The same without allocating or throwing, for a child that shares its
/// parent's memory (vfork): returns 0 or the errno of the failed step.
/// `last` is the kernel's last capability, read by the parent.
int drop_capabilities(std::uint64_t keep, int last) noexcept;

}  // namespace iocell::plugins::linux_ns
