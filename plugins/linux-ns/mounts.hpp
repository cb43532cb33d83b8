// The jail's filesystem view, built inside its fresh mount namespace by the
// process that is about to become its pid 1. Every mount point is opened
// below the jail root with openat2(RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH) and
// mounted through that descriptor (the new mount API), so a symbolic link
// the jail planted is refused, never followed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/properties.hpp>

#include "fstab.hpp"

namespace iocell::plugins::linux_ns {

/// A host device node given to the jail (allow_tun, allow_vmm): made in its
/// /dev with the host's numbers and permission bits.
struct DeviceNode {
  std::string path;  ///< below /dev, one directory level at most ("net/tun")
  unsigned major = 0, minor = 0;
  unsigned mode = 0600;
};

/// The device nodes the jail's allow_* properties grant, read from the
/// host's /dev; throws naming the property when the host lacks one.
std::vector<DeviceNode> granted_devices(const sdk::PropertyMap& props);

struct RootSetup {
  std::filesystem::path root;
  std::vector<DeviceNode> devices;
  std::vector<MountEntry> fstab;
  std::string hostname;    ///< "" leaves the UTS namespace's name alone
  std::string domainname;  ///< "" leaves it alone
};

/// Makes "/" private, binds the root onto itself (nodev), mounts proc (with
/// its kernel switches read-only), a minimal /dev (tmpfs with null, zero,
/// full, random, urandom, tty; devpts with ptmx; shm), /tmp, then the fstab
/// entries in order, sets the host name and pivots into the root. The caller
/// must already be in the jail's mount, pid and uts namespaces.
void enter_new_root(const RootSetup& setup);

}  // namespace iocell::plugins::linux_ns
