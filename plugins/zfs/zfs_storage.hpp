// sdk::Storage on ZFS (FreeBSD). Relative dataset names map to
// <pool>/iocell/<rel>; <pool>/iocell is mounted at the iocell root and every
// dataset below inherits its mountpoint, so <root>/<rel> is where the files
// are (hack88 changes that for one jail; see mountpoint()).
//
// The active pool is the one whose <pool>/iocell carries the user property
// org.iocell:active=yes. Hosts prepared by the shell iocell are adopted: the
// pool whose iocell dataset is mounted at the root, else the one whose zpool
// comment is "iocell" (set by its init-host).
//
// Cost: initialize() on a prepared host runs no process at all. It asks the
// kernel (statfs) which dataset is mounted at the root and at each of its
// standard children; when all are <pool>/iocell/..., there is nothing to
// learn or create. Only a host that is not ready yet pays for zpool/zfs
// listings. Within one object, the name/origin listing of the tree and the
// properties of a dataset are read once and forgotten at the next change.
//
// Not the storage's business (the caller checks): whether jails run. activate()
// and set_property(mountpoint) fail with zfs's "busy" errors when they do,
// which is too late to be friendly.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/storage.hpp>

#include "zfs_cli.hpp"
#include "zfs_names.hpp"
#include "zfs_parse.hpp"
#include "zfs_probe.hpp"

namespace iocell::plugins::zfs {

class ZfsStorage : public sdk::Storage {
 public:
  ZfsStorage(const sdk::HostContext& host, std::unique_ptr<HostProbe> probe);

  std::string name() const override { return "zfs"; }
  /// A FreeBSD root lives on a pool: initialize() finds the active one. On
  /// Linux (ZFS on Linux, zfs-fuse) ZFS is there only when asked for
  /// (--storage zfs): 0 keeps btrfs and dir the choice for a new root.
  int probe(const std::filesystem::path& /*root*/) override { return m_host.os == sdk::HostOs::FreeBSD ? 10 : 0; }
  bool movable_mountpoints() const override { return true; }
  void initialize() override;
  std::string pool() override;
  /// Moves every other pool's iocell dataset out of the root (mountpoint
  /// /<pool>/iocell, org.iocell:active=no), then marks and mounts POOL's.
  void activate(const std::string& pool_name) override;

  /// <root>/<rel>, or below an explicit mountpoint this object set or saw
  /// (hack88) on the dataset or one of its parents.
  std::filesystem::path mountpoint(const std::string& dataset) const override;
  bool exists(const std::string& dataset) override;
  /// properties: compression (default lz4), dedup, quota, reservation,
  /// readonly, mountpoint, jailed. jailed=on (jail_zfs) creates the dataset
  /// unmounted with mountpoint=none unless a mountpoint is given: it is
  /// mounted by the jail, never on the host.
  void create(const std::string& dataset, const sdk::DatasetOptions& opts) override;
  void destroy(const std::string& dataset) override;
  void rename(const std::string& from, const std::string& to) override;

  void snapshot(const std::string& dataset, const std::string& snap, bool recursive) override;
  std::vector<sdk::SnapshotInfo> snapshots(const std::string& dataset) override;
  void destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) override;
  void rollback(const std::string& dataset, const std::string& snap) override;

  /// The target's parent must exist: zfs clone -p would create missing
  /// parents as empty datasets mounted over the jail's own directories.
  void clone(const std::string& dataset, const std::string& snap, const std::string& target,
             const sdk::DatasetOptions& opts) override;
  /// zfs send | zfs receive of one snapshot per dataset of the tree: the
  /// copy shares no block and no snapshot with the source.
  void copy(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) override;
  /// Relative "dataset@snap"; an origin outside the iocell tree is given as
  /// its full ZFS name.
  std::string origin(const std::string& dataset) override;
  /// Clones outside the dataset's tree made from snapshots inside it.
  std::vector<std::string> dependents(const std::string& dataset) override;
  /// Promotes every clone of the tree, parents first, except read-only
  /// clones of base/ (basejails re-make those at every start; promoting one
  /// would hand the release's base to that jail).
  void promote(const std::string& dataset) override;

  void set_property(const std::string& dataset, const std::string& prop, const std::string& value) override;
  /// zfs's own display form ("4G", "none", "1.52x"), "-" when not applicable.
  std::string get_property(const std::string& dataset, const std::string& prop) override;
  sdk::SpaceUsage usage(const std::string& dataset) override;

  void send(const std::string& dataset, const std::string& snap, int out_fd) override;
  /// Only into `target` itself, after `zstream dump` showed that every
  /// dataset the stream would create is `target` or below it, that it holds
  /// no volume and that no clone or increment needs a snapshot it does not
  /// carry; checked again once received (removed if wrong). Never -F; the
  /// stream's mountpoint and share settings are ignored. `in_fd` must be
  /// seekable (a file): the stream is read twice.
  void receive(const std::string& target, int in_fd) override;

  bool replicates() const override { return true; }
  bool delta_carries_intermediates() const override { return true; }
  void send_delta(const std::string& dataset, const std::string& from, const std::string& to, int out_fd) override;
  void send_resumed(const std::string& dataset, const std::string& token, int out_fd) override;
  sdk::ReceiveState prepare_receive(const std::string& dataset) override;
  void abandon_resume(const std::string& dataset) override;
  void receive_delta(const std::string& dataset, int in_fd) override;

  bool adopts_foreign() const override { return true; }
  std::optional<std::vector<sdk::ForeignDataset>> foreign_datasets(const std::string& top, int depth,
                                                                  const std::string& user_prefix) override;
  std::vector<sdk::Command> adopt_commands(const sdk::ForeignDataset& ds, const std::string& dataset,
                                           const std::filesystem::path& home) override;

 private:
  Layout& layout();
  void require_ready();
  /// Creates, marks (org.iocell:active) or mounts what is missing of
  /// <pool>/iocell and its standard children, with one listing.
  void ensure_layout();
  /// The names and origins of every filesystem of the tree (one zfs list).
  const std::vector<FsEntry>& tree();
  /// Forgets the cached properties (any change can alter them).
  void changed();
  /// Forgets the name/origin listing (after changes too wide to follow).
  void forget_tree() { m_tree.reset(); }
  const std::map<std::string, std::string>& properties(const std::string& dataset);
  std::string relative_or_full(const std::string& full_name) const;
  void set_mountpoint(const std::string& dataset, const std::string& value);
  /// send | receive of names[i]@snap to full_dst + (names[i] - full_src).
  void copy_tree(const std::vector<std::string>& names, const std::string& full_src, const std::string& full_dst,
                 const std::string& snap, const std::vector<std::string>& options);
  void verify_received(const std::string& full_target, const std::set<std::string>& expected);
  void info(const std::string& line) const;
  // zfs_compat.cpp: an older zfs (zfs-fuse) refuses these; each falls back.
  /// `zpool list -H -o name,comment`, or the names alone without comments.
  std::vector<PoolEntry> list_pools();
  /// A `zfs create` whose compression=lz4 is iocell's default: compression=on
  /// where the pool has no lz4.
  void create_compressed(std::vector<std::string> argv);
  /// snapshots() where `zfs list` has no -p: names, then `zfs get -H -p`.
  std::vector<sdk::SnapshotInfo> snapshots_without_list_p(const std::string& full);

  sdk::HostContext m_host;
  std::unique_ptr<HostProbe> m_probe;
  ZfsCli m_zfs;
  std::filesystem::path m_root;
  std::optional<Layout> m_layout;
  bool m_ready = false;
  std::optional<std::vector<FsEntry>> m_tree;
  std::map<std::string, std::map<std::string, std::string>> m_props;
  /// Explicit mountpoints (relative dataset -> path) this object knows of.
  std::map<std::string, std::filesystem::path> m_mountpoints;
};

}  // namespace iocell::plugins::zfs
