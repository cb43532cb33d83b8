// The jail's filesystem view, built inside its fresh mount namespace by the
// process that is about to become its pid 1. Every mount point is opened
// below the jail root with openat2(RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH) and
// mounted through that descriptor (the new mount API), so a symbolic link
// the jail planted is refused, never followed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fstab.hpp"

namespace iocell::plugins::linux_ns {

struct RootSetup {
  std::filesystem::path root;
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
