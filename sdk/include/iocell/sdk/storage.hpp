// Storage backends: zfs (FreeBSD), btrfs and dir (Linux, dir also portable).
//
// Datasets are named relative to the iocell root, with '/' separators:
// "releases/14.3-RELEASE/root", "jails/<uuid>", "jails/<uuid>/root". The
// backend maps them to ZFS datasets (<pool>/iocell/...), subvolumes or plain
// directories; mountpoint() says where the files are.
#pragma once

#include <iocell/sdk/export.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>

namespace iocell::sdk {

struct SnapshotInfo {
  std::string name;              ///< the part after '@'
  std::int64_t created = 0;      ///< seconds since the epoch
  std::uint64_t referenced = 0;  ///< bytes
  std::uint64_t used = 0;        ///< bytes only this snapshot holds
};

/// What the receiving side of a replication holds of a dataset.
struct ReceiveState {
  std::vector<std::string> snapshots;  ///< complete ones, oldest first
  std::string resume_token;            ///< "" when there is nothing to resume
};

struct SpaceUsage {
  std::uint64_t used = 0;
  std::uint64_t available = 0;
  std::uint64_t referenced = 0;
  std::optional<std::uint64_t> quota;        ///< unset: none
  std::optional<std::uint64_t> reservation;  ///< unset: none
  double compressratio = 1.0;
};

struct DatasetOptions {
  /// Native properties: compression, quota, reservation, dedup, jailed, ...
  /// A backend applies what it supports and rejects the rest with an error
  /// that names the property.
  std::map<std::string, std::string> properties;
  bool readonly = false;
};

/// A dataset another tool keeps on the same storage (iocage 1.x's
/// <pool>/iocage/jails/<uuid>), as foreign_datasets() reads it.
struct ForeignDataset {
  std::string name;  ///< in the backend's own namespace: "tank/iocage/jails/<uuid>"
  /// User properties with the prefix asked for, set on the dataset itself
  /// (not inherited), the prefix stripped.
  std::map<std::string, std::string> user;
  /// Native properties set on the dataset itself (compression, quota, ...),
  /// as iocell spells their values ("none" for no quota).
  std::map<std::string, std::string> own;
  std::string origin;           ///< "dataset@snap" it was cloned from, "" when no clone
  std::filesystem::path files;  ///< where its files are now; empty when not mounted
  /// Everything the backend read, for its own adopt_commands().
  std::map<std::string, std::string> native, native_source;
};

class IOCELL_SDK_EXPORT Storage {
 public:
  virtual ~Storage() = default;
  virtual std::string name() const = 0;

  /// How well the backend serves a new root at `root` (which may not exist
  /// yet), asked before initialize(): 0 not at all, else the higher the
  /// better (the backends shipped answer 1 for any directory, 10 for their
  /// own filesystem). A root records the storage chosen; --storage or
  /// IOCELL_STORAGE names another. Must not change anything.
  virtual int probe(const std::filesystem::path& root) {
    (void)root;
    return 0;
  }

  /// Prepares the root for use (ZFS: finds the active pool and creates the
  /// <pool>/iocell datasets). Idempotent; cheap when already done.
  virtual void initialize() = 0;
  /// The pool the root lives on ("tank"), "" for backends without pools.
  virtual std::string pool() { return ""; }
  /// Marks `pool` as the one iocell uses from now on (`iocell activate POOL`).
  virtual void activate(const std::string& pool_name) {
    throw std::runtime_error(name() + " storage has no pools to activate (asked for '" + pool_name + "')");
  }
  virtual std::filesystem::path mountpoint(const std::string& dataset) const = 0;
  virtual bool exists(const std::string& dataset) = 0;
  /// Creates the dataset and any missing parents (parents get no options).
  virtual void create(const std::string& dataset, const DatasetOptions& opts) = 0;
  /// Destroys the dataset, its children and its snapshots. Refuses, naming
  /// them, when clones elsewhere depend on one of its snapshots.
  virtual void destroy(const std::string& dataset) = 0;
  virtual void rename(const std::string& from, const std::string& to) = 0;

  /// Snapshot of the dataset; with recursive, of every child at one instant.
  virtual void snapshot(const std::string& dataset, const std::string& snap, bool recursive) = 0;
  /// Snapshots of the dataset itself (not of its children), oldest first.
  virtual std::vector<SnapshotInfo> snapshots(const std::string& dataset) = 0;
  virtual void destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) = 0;
  /// Rolls the dataset back to snap, discarding later snapshots.
  virtual void rollback(const std::string& dataset, const std::string& snap) = 0;

  /// A writable (or read-only) copy-on-write clone of dataset@snap.
  virtual void clone(const std::string& dataset, const std::string& snap, const std::string& target,
                     const DatasetOptions& opts) = 0;
  /// A writable copy-on-write clone of dataset as it is now, for backends
  /// whose clones never depend on a snapshot (a btrfs snapshot is a
  /// subvolume of its own): one step instead of snapshot + clone, and no
  /// snapshot left on the source. The clone still counts among the source's
  /// dependents(), and origin() returns "dataset@". Returns false, having
  /// done nothing, where a clone needs an origin snapshot (zfs): the caller
  /// then snapshots and clones.
  virtual bool clone_current(const std::string& dataset, const std::string& target, const DatasetOptions& opts) {
    (void)dataset, (void)target, (void)opts;
    return false;
  }
  /// A fully independent copy of dataset (thick jails).
  virtual void copy(const std::string& dataset, const std::string& target, const DatasetOptions& opts) = 0;
  /// "dataset@snap" this dataset was cloned from, or "" when it is no clone.
  virtual std::string origin(const std::string& dataset) = 0;
  /// Datasets cloned from any snapshot of dataset or of its children.
  virtual std::vector<std::string> dependents(const std::string& dataset) = 0;
  /// Reverses the clone relationship (see zfs-promote(8)). Backends whose
  /// clones are independent from birth succeed without doing anything.
  virtual void promote(const std::string& dataset) = 0;

  /// Whether set_property(dataset, "mountpoint", PATH) moves where a
  /// dataset's files are (zfs): hack88 then shortens the jail's path.
  virtual bool movable_mountpoints() const { return false; }
  virtual void set_property(const std::string& dataset, const std::string& prop, const std::string& value) = 0;
  /// The native value as the backend reports it, "-" when not applicable.
  virtual std::string get_property(const std::string& dataset, const std::string& prop) = 0;
  virtual SpaceUsage usage(const std::string& dataset) = 0;

  /// Makes the dataset's files visible at its mountpoint, if the backend
  /// needs a mount for that (overlay clones on dir). Idempotent. The files
  /// stay visible until unmount(): the core asks for a running jail, and
  /// around its own work on a stopped one. A stopped jail holds no mounts:
  /// what a backend mounts on its own to do an operation (read a clone for
  /// a snapshot) goes when the operation ends, or for a clone it made, when
  /// the storage object is destroyed at the end of the command.
  virtual void mount(const std::string& /*dataset*/) {}
  virtual void unmount(const std::string& /*dataset*/) {}
  /// Whether the dataset's files are visible at its mountpoint now (always,
  /// for a backend without mounts of its own).
  virtual bool mounted(const std::string& /*dataset*/) { return true; }

  /// Whole-dataset replication streams (zfs send -R / btrfs send). Backends
  /// without a native stream throw an error saying so.
  virtual void send(const std::string& dataset, const std::string& snap, int out_fd) = 0;
  virtual void receive(const std::string& target, int in_fd) = 0;

  // Replication to another host (iocell send / receive), dataset by
  // dataset (the caller knows a jail's datasets, parents first) so that an
  // interrupted transfer resumes where it stopped.
  // Backends without incremental streams keep these defaults, which refuse.

  /// Whether the methods below work (the caller refuses before changing
  /// anything when not).
  virtual bool replicates() const { return false; }
  /// Why not, for that refusal.
  std::string why_no_replication() const {
    return name() + " storage has no incremental streams, so jails on it cannot be replicated "
                    "(iocell send and receive need zfs or btrfs storage)";
  }

  /// Whether one send_delta from `from` to `to` also brings every snapshot
  /// taken between them (zfs send -I). When not, the caller sends each step.
  virtual bool delta_carries_intermediates() const { return false; }
  /// Writes a stream of dataset@to alone (not its children) to out_fd: all
  /// of it when `from` is "", else only what changed since dataset@from.
  virtual void send_delta(const std::string& dataset, const std::string& from, const std::string& to, int out_fd) {
    (void)from, (void)to, (void)out_fd;
    throw std::runtime_error(no_replication(dataset));
  }
  /// Writes the rest of an interrupted stream, from the token the receiving
  /// side's prepare_receive returned.
  virtual void send_resumed(const std::string& dataset, const std::string& token, int out_fd) {
    (void)token, (void)out_fd;
    throw std::runtime_error(no_replication(dataset));
  }
  /// What the receiving side holds of `dataset`, once it has dropped what an
  /// interrupted receive left that cannot be resumed: its complete
  /// snapshots, oldest first (empty when the dataset does not exist), and
  /// the token to resume an interrupted stream with ("" for none).
  virtual ReceiveState prepare_receive(const std::string& dataset) { throw std::runtime_error(no_replication(dataset)); }
  /// Forgets the interrupted receive of `dataset` (its resume token), for a
  /// stream the sending side can no longer resume: the next transfer starts
  /// from the last complete snapshot.
  virtual void abandon_resume(const std::string& dataset) { (void)dataset; }
  /// Applies one stream of send_delta or send_resumed, read once from in_fd
  /// (a pipe: nothing is read twice). A whole stream makes `dataset`, whose
  /// parent exists (a child takes the place of the empty directory its
  /// parent's stream left); an increment brings it to the new snapshot. Its
  /// files are then the new snapshot's, visible at its mountpoint. The
  /// stream is untrusted: it lands in `dataset` and nowhere else, and
  /// clones nothing from outside it.
  virtual void receive_delta(const std::string& dataset, int in_fd) {
    (void)in_fd;
    throw std::runtime_error(no_replication(dataset));
  }

  /// Whether the backend can read and adopt datasets other tools made on
  /// it (foreign_datasets, adopt_commands): migrating iocage 1.x jails.
  virtual bool adopts_foreign() const { return false; }
  /// The datasets below `top` (a name in the backend's own namespace, such
  /// as "tank/iocage", outside iocell's tree) to `depth` levels, with every
  /// property; nullopt when `top` does not exist. Reads only: its commands
  /// are marked Command::read_only, so a dry run still sees the answer.
  virtual std::optional<std::vector<ForeignDataset>> foreign_datasets(const std::string& top, int depth,
                                                                      const std::string& user_prefix) {
    (void)depth, (void)user_prefix;
    throw std::runtime_error(name() + " storage holds no datasets of other tools (asked for " + top + ")");
  }
  /// The commands that move `ds` (with its children, snapshots and clone
  /// relationships) to `dataset` in iocell's tree ("jails/<uuid>") so that
  /// its files are at `home`. The caller runs them, or shows them in a dry
  /// run. Throws, saying why and what to do, when the backend cannot move
  /// it (another pool, not mounted).
  virtual std::vector<Command> adopt_commands(const ForeignDataset& ds, const std::string& dataset,
                                              const std::filesystem::path& home) {
    (void)dataset, (void)home;
    throw std::runtime_error(name() + " storage cannot adopt " + ds.name);
  }

  /// Completes or undoes what a killed command of this backend left half
  /// done, and removes its temporary datasets (sdk/temp_names.hpp). Touches
  /// only what belongs to a dataset `idle` says no command is working on.
  /// Returns one line per leftover dealt with.
  virtual std::vector<std::string> clean_leftovers(const std::function<bool(const std::string& dataset)>& idle) {
    (void)idle;
    return {};
  }

 private:
  std::string no_replication(const std::string& dataset) const { return why_no_replication() + " (asked for " + dataset + ")"; }
};

}  // namespace iocell::sdk
