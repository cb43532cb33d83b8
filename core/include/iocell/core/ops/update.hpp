// update and upgrade: binary patches and release upgrades of jails and of
// fetched releases, through the Updater that handles the system (freebsd-
// update for dist-set systems, pkg for pkgbase ones), behind a back-out
// snapshot that a failure rolls back to.
#pragma once

#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

struct UpdateOutcome {
  /// The back-out snapshot left for the user ("" when none was taken).
  std::string snapshot;
  /// A basejail's update patches the release it shares (every basejail of it).
  std::string release_patched;
};

/// Latest patches of a fetched release (releases/<R>/root), under the
/// release's lock. On ZFS the per-directory bases basejails clone from
/// (base/<R>/root/<dir>) are brought up to date too.
void update_release(Context& ctx, const std::string& release);

/// update TARGET: a thick or thin jail is snapshotted (ioc-update_<time>) and
/// patched; a basejail's release is patched instead. Any failure rolls the
/// jail back and removes the snapshot, so the command can simply be run
/// again. Refused on hosts without an updater (Linux) before anything changes.
UpdateOutcome update_jail(Context& ctx, const JailRecord& rec);

/// upgrade TARGET [release=R] (default: the host's release). Thick and thin
/// jails run the updater's upgrade; basejails switch `release` (re-attached
/// at start; a running one is restarted) and get /etc merged. Behind an
/// ioc-upgrade_<time> snapshot, rolled back and removed on any failure.
UpdateOutcome upgrade_jail(Context& ctx, const JailRecord& rec, const std::string& to_release);

/// A snapshot name "<prefix><time>" that no dataset of the jail has yet.
std::string unique_snapshot_name(Context& ctx, const JailRecord& rec, const std::string& prefix);

}  // namespace iocell::core
