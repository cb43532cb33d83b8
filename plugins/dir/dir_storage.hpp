// sdk::Storage on plain directories. Dataset "a/b" is the directory
// <root>/a/b; a snapshot is a copy (reflinked where the filesystem can)
// under <root>/.snapshots; a clone is an overlay of that copy (Linux, root)
// or, where overlayfs is unavailable, another copy. Quotas, reservations
// and compression cannot be enforced on plain directories and are refused.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <iocell/sdk/dry_run_ledger.hpp>
#include <iocell/sdk/host.hpp>
#include <iocell/sdk/storage.hpp>

#include "dir_meta.hpp"

namespace iocell::plugins::dir {

class DirStorage : public sdk::Storage {
 public:
  explicit DirStorage(const sdk::HostContext& host);
  /// Unmounts the overlays of clones this object made and nobody asked to
  /// keep mounted (see m_transient).
  ~DirStorage() override;
  DirStorage(const DirStorage&) = delete;
  DirStorage& operator=(const DirStorage&) = delete;

  std::string name() const override { return "dir"; }
  /// Any directory, on any filesystem: the choice when nothing serves better.
  int probe(const std::filesystem::path& /*root*/) override { return 1; }
  void initialize() override;
  std::filesystem::path mountpoint(const std::string& dataset) const override;
  bool exists(const std::string& dataset) override;
  void create(const std::string& dataset, const sdk::DatasetOptions& opts) override;
  void destroy(const std::string& dataset) override;
  void rename(const std::string& from, const std::string& to) override;
  std::vector<std::string> clean_leftovers(const std::function<bool(const std::string&)>& idle) override;

  void snapshot(const std::string& dataset, const std::string& snap, bool recursive) override;
  std::vector<sdk::SnapshotInfo> snapshots(const std::string& dataset) override;
  void destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) override;
  void rollback(const std::string& dataset, const std::string& snap) override;

  void clone(const std::string& dataset, const std::string& snap, const std::string& target,
             const sdk::DatasetOptions& opts) override;
  void copy(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) override;
  std::string origin(const std::string& dataset) override;
  std::vector<std::string> dependents(const std::string& dataset) override;
  void promote(const std::string& dataset) override;

  void set_property(const std::string& dataset, const std::string& prop, const std::string& value) override;
  std::string get_property(const std::string& dataset, const std::string& prop) override;
  sdk::SpaceUsage usage(const std::string& dataset) override;

  void mount(const std::string& dataset) override;
  void unmount(const std::string& dataset) override;
  bool mounted(const std::string& dataset) override;

  void send(const std::string& dataset, const std::string& snap, int out_fd) override;
  void receive(const std::string& target, int in_fd) override;

  /// Whether clones made from now on are overlays (tests force copies).
  void set_overlay_clones(bool on) { m_overlay = on; }

 private:
  void require(const std::string& dataset);
  /// Registered datasets strictly below `dataset`, parents first.
  std::vector<std::string> children(const std::string& dataset) const;
  /// Paths of the child datasets relative to `dataset`'s mountpoint.
  std::set<std::string> child_rels(const std::string& dataset) const;
  void make_parents(const std::string& dataset);
  /// Clones (existing datasets) of snapshots of `dataset` itself, "" for any snapshot.
  std::vector<std::string> clones_of(const std::string& dataset, const std::string& snap) const;
  /// Mounts an overlay clone that is not mounted; returns whether it did.
  bool ensure_mounted(const std::string& dataset);
  bool overlay_mounted(const std::string& dataset) const;
  /// Unmounts the dataset if this object mounted it for its own work.
  void release(const std::string& dataset) noexcept;
  class MountedForOperation;
  /// A copy of the dataset under a temporary name beside its snapshots,
  /// recorded as one of `set`.
  std::filesystem::path stage_snapshot(const std::string& dataset, const std::string& snap, const std::vector<std::string>& set);
  /// Whether the snapshot and every other of its set exist.
  bool complete(const std::string& dataset, const std::string& snap) const;
  void remove_snapshot_dir(const std::string& dataset, const std::string& snap);
  /// Checks native properties before anything is created.
  void check_properties(const std::string& dataset, const std::map<std::string, std::string>& props) const;
  void apply_options(const std::string& dataset, const sdk::DatasetOptions& opts, DatasetMeta meta);
  std::uint64_t own_usage(const std::string& dataset);
  std::uint64_t snapshot_usage(const std::string& dataset);
  /// In --dry-run: logs what would happen and returns true.
  bool dry(const std::string& what) const;
  sdk::DryRunLedger m_dry_made;
  void info(const std::string& line) const;

  sdk::HostContext m_host;
  std::filesystem::path m_root;
  MetaStore m_meta;
  bool m_overlay;
  // Overlays this object mounted for its own work rather than because the
  // core asked (mount()): a stopped jail holds no mounts, so an operation
  // unmounts what it mounted when it ends, and a clone made by this object
  // stays mounted only until the command ends (the core writes into it).
  std::set<std::string> m_transient;
};

}  // namespace iocell::plugins::dir
