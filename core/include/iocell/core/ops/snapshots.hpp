// Snapshots of whole jails: every dataset of a jail taken at one instant,
// listed, removed and rolled back together; promote of a clone.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

/// "<prefix><YYYY-MM-DD_HH:MM:SS>" in local time: "ioc-2026-11-29_06:30:00".
std::string timestamp_snapshot_name(const Context& ctx, const std::string& prefix);
/// Throws UsageError unless the name is 1-200 of [A-Za-z0-9_.:-], starts
/// with neither '.' nor '-', and is not the reserved word ALL.
void validate_snapshot_name(const std::string& name);

/// The datasets a jail may have, relative to its home ("" is the home):
/// its root and its jailed data set.
inline constexpr std::array<std::string_view, 3> kJailDatasetNames = {"", "root", "data"};

/// The datasets of a jail that roll back and list together: its home, its
/// root and its jailed data set, those that exist. (Datasets below the root
/// that a basejail re-clones at every start are left out.)
std::vector<std::string> jail_datasets(Context& ctx, const JailRecord& rec);

/// Command names of database servers (mysqld, mariadbd, postgres) running
/// in the jail, read by the host (ps -J on FreeBSD, /proc on Linux), never
/// by a program of the jail's; empty when the jail is down.
std::vector<std::string> database_processes(Context& ctx, const JailRecord& rec);

/// Snapshot of every dataset of the jail at one instant. A database server
/// in the jail may have data in memory that the snapshot misses: refused
/// (naming the processes) unless `force`.
void snapshot_jail(Context& ctx, const JailRecord& rec, const std::string& name, bool force);

struct JailSnapshot {
  std::string name;
  std::int64_t created = 0;      ///< seconds since the epoch (earliest dataset)
  std::uint64_t referenced = 0;  ///< of the root (the jail's files)
  std::uint64_t used = 0;        ///< summed over the jail's datasets
};
/// One row per snapshot name over the jail's datasets, oldest first.
std::vector<JailSnapshot> list_jail_snapshots(Context& ctx, const JailRecord& rec);

/// Removes a snapshot from every dataset of the jail. "ALL" removes every
/// snapshot no clone depends on, then throws Refused naming those clones
/// keep. Returns the names removed.
std::vector<std::string> remove_jail_snapshot(Context& ctx, const JailRecord& rec, const std::string& name);

/// Rolls every dataset of the jail (root included) back to the snapshot,
/// discarding later snapshots. A running jail is refused unless `force`,
/// which stops it for the rollback and starts it again.
void rollback_jail(Context& ctx, const JailRecord& rec, const std::string& name, bool force);

/// Promotes each dataset of the jail that is a clone (zfs promote: the
/// former source becomes the clone's dependent and can be destroyed).
/// Returns one line per dataset for the user; Refused when none is a clone.
std::vector<std::string> promote_jail(Context& ctx, const JailRecord& rec);

}  // namespace iocell::core
