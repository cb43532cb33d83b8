// An OCI container's filesystem view, built by its first process inside its
// fresh mount namespace: config.json's mounts in order, the default /dev
// nodes, masked and read-only paths, then pivot_root. Every mount point is
// resolved inside the container's root (openat2 RESOLVE_IN_ROOT), so a
// symbolic link in the image points within the image, never at the host.
#pragma once

#include <iocell/sdk/oci.hpp>

namespace iocell::plugins::linux_ns {

/// Throws naming the mount ("mounts[3] /etc/hosts: ...") that failed.
/// Sets the host name when the container has a UTS namespace of its own and
/// writes linux.sysctl (only keys of the container's own namespaces: net.*,
/// kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*).
void enter_oci_root(const sdk::oci::Container& c, bool own_uts);

}  // namespace iocell::plugins::linux_ns
