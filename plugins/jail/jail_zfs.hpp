// ZFS datasets delegated to a jail (jail_zfs=on), zfs-jail(8).
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>
#include <iocell/sdk/jail.hpp>

namespace iocell::plugins::jail {

struct Delegation {
  std::vector<std::string> datasets;  ///< full ZFS names, in the order given
  std::string default_dataset;        ///< <jail dataset>/data when none was named, else ""
};

/// The datasets of jail_zfs_dataset (blank or comma separated full names;
/// "iocell/..." gets the pool in front, as the shell iocell did; empty or
/// none means <jail dataset>/data). Asks zfs which dataset holds spec.home
/// only when it needs the pool or the jail's dataset (with `dry_run`, when
/// the runner answers nothing, "POOL/iocell/<spec.dataset>" stands for it).
Delegation delegated_datasets(sdk::CommandRunner& run, const sdk::JailSpec& spec, bool dry_run = false);

/// Before `jail -c`: every dataset gets jailed=on; the default one is
/// created (jailed, mountpoint from jail_zfs_mountpoint or none) when missing.
void prepare_delegation(sdk::CommandRunner& run, const sdk::JailSpec& spec, const Delegation& d);

}  // namespace iocell::plugins::jail
