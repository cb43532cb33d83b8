// The jail(8) parameters of `jail -c`, computed from a jail's properties
// without running anything (so that they can be tested word for word).
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/jail.hpp>

namespace iocell::plugins::jail {

struct CreateOptions {
  int devfs_ruleset = 4;  ///< the ruleset to mount /dev with (a bpf ruleset replaces the property)
  bool vnet = false;
  bool zfs = false;       ///< jail_zfs=on: datasets are delegated after the create
  bool fstab = false;     ///< <home>/fstab exists and has entries
};

/// allow_raw_sockets -> allow.raw_sockets, allow_mount_zfs -> allow.mount.zfs.
/// Throws for a name that is not an allow_* property.
std::string allow_param_name(const std::string& property);

/// Every word after `jail -i -c`, in a fixed order: identity, security,
/// allow.*, System V IPC, mounts, exec.*, persist, then spec.params (the
/// network and limit plugins' contributions; ip4.* and ip6.* are dropped for
/// VNET jails because the kernel refuses them there).
std::vector<std::string> create_params(const sdk::JailSpec& spec, const CreateOptions& opt);

/// Whether spec.params (or the vnet property) asks for a VNET jail.
bool wants_vnet(const sdk::JailSpec& spec);

/// The words of a blank-separated property value ("-f root" -> {"-f", "root"}).
std::vector<std::string> split_blanks(const std::string& value);

}  // namespace iocell::plugins::jail
