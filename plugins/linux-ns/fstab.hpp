// A jail's fstab (<home>/fstab), read the way FreeBSD writes it and turned
// into Linux mounts made inside the jail's mount namespace at create.
//
// Types: linprocfs and procfs -> proc, linsysfs -> sysfs (always read-only),
// nullfs -> a bind mount of a host directory, tmpfs, or any Linux type by
// name. devfs and fdescfs lines are skipped: every jail gets /dev and /dev/fd.
// Mount points are written as host paths under the jail root
// (/iocell/jails/UUID/root/proc in the documentation's Debian howto) or as
// paths inside the jail; both end up relative to the jail root.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace iocell::plugins::linux_ns {

struct MountEntry {
  std::string source;            ///< host directory for "bind", else the fs source
  std::filesystem::path target;  ///< relative to the jail root, never empty
  std::string fstype;            ///< Linux type, or "bind"
  std::string written_type;      ///< the type as the fstab line spells it
  bool readonly = false;
  bool nosuid = false;
  bool noexec = false;
  bool noatime = false;
  /// Filesystem parameters handed to the kernel (fsconfig): key, value ("" = flag).
  std::vector<std::pair<std::string, std::string>> params;
  int line = 0;
};

/// Parses fstab text; throws naming the line for anything it cannot honour.
std::vector<MountEntry> parse_fstab(const std::string& text, const std::filesystem::path& jail_root,
                                    const std::string& uuid);

/// The mount point relative to the jail root. Accepts a path under
/// `jail_root` or one containing /jails/<uuid>/root or /templates/<uuid>/root
/// (the documentation's /iocell layout, used on a root elsewhere). Anything
/// else is refused: a host path outside the jail has no place in its fstab.
std::filesystem::path jail_relative(const std::string& target, const std::filesystem::path& jail_root,
                                    const std::string& uuid);

}  // namespace iocell::plugins::linux_ns
