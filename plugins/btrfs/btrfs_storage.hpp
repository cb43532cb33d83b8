// sdk::Storage on btrfs: every dataset is a subvolume at <root>/<dataset>
// (nested datasets are nested subvolumes), a snapshot is a read-only
// snapshot at <root>/.snapshots/<escaped dataset>/<snap>, a clone is a
// writable snapshot of one. btrfs clones are independent from birth, so the
// clone relation that `origin`, `dependents` and destroy refusals need is
// kept in records under <root>/.datasets (sdk/dataset_records.hpp).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <iocell/sdk/dataset_records.hpp>
#include <iocell/sdk/dry_run_ledger.hpp>
#include <iocell/sdk/host.hpp>
#include <iocell/sdk/storage.hpp>

#include "btrfs_qgroup.hpp"
#include "btrfs_subvol.hpp"

namespace iocell::plugins::btrfs {

class BtrfsStorage : public sdk::Storage {
 public:
  explicit BtrfsStorage(const sdk::HostContext& host);

  std::string name() const override { return "btrfs"; }
  /// Only a root on btrfs: subvolumes cannot be made elsewhere.
  int probe(const std::filesystem::path& root) override;
  void initialize() override;
  std::filesystem::path mountpoint(const std::string& dataset) const override;
  bool exists(const std::string& dataset) override;
  void create(const std::string& dataset, const sdk::DatasetOptions& opts) override;
  void destroy(const std::string& dataset) override;
  void rename(const std::string& from, const std::string& to) override;

  void snapshot(const std::string& dataset, const std::string& snap, bool recursive) override;
  std::vector<sdk::SnapshotInfo> snapshots(const std::string& dataset) override;
  void destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) override;
  void rollback(const std::string& dataset, const std::string& snap) override;

  bool clone_current(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) override;
  void clone(const std::string& dataset, const std::string& snap, const std::string& target,
             const sdk::DatasetOptions& opts) override;
  void copy(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) override;
  std::string origin(const std::string& dataset) override;
  std::vector<std::string> dependents(const std::string& dataset) override;
  void promote(const std::string& dataset) override;

  void set_property(const std::string& dataset, const std::string& prop, const std::string& value) override;
  std::string get_property(const std::string& dataset, const std::string& prop) override;
  sdk::SpaceUsage usage(const std::string& dataset) override;

  void send(const std::string& dataset, const std::string& snap, int out_fd) override;
  void receive(const std::string& target, int in_fd) override;
  std::vector<std::string> clean_leftovers(const std::function<bool(const std::string&)>& idle) override;

  bool replicates() const override { return true; }
  void send_delta(const std::string& dataset, const std::string& from, const std::string& to, int out_fd) override;
  void send_resumed(const std::string& dataset, const std::string& token, int out_fd) override;
  sdk::ReceiveState prepare_receive(const std::string& dataset) override;
  void receive_delta(const std::string& dataset, int in_fd) override;

 private:
  struct Snap {
    std::string name;
    std::int64_t otime_ns = 0;
  };

  std::filesystem::path snap_dir(const std::string& ds) const;
  /// Makes the dataset's files those of its snapshot `snap`: a rollback, or
  /// for a dataset not here yet a writable snapshot in its place.
  void become_snapshot(const std::string& dataset, const std::string& snap);
  std::filesystem::path snap_path(const std::string& ds, const std::string& snap) const { return snap_dir(ds) / snap; }
  void require(const std::string& dataset);
  /// Recorded datasets strictly below `dataset` that exist, parents first.
  std::vector<std::string> children(const std::string& dataset) const;
  /// Children with no other child between them and `dataset`.
  std::vector<std::string> direct_children(const std::string& dataset) const;
  std::set<std::string> child_rels(const std::string& dataset) const;
  void make_parents(const std::string& dataset);
  void check_properties(const std::string& dataset, const std::map<std::string, std::string>& props) const;
  /// Applies native properties to an existing subvolume.
  void apply_native(const std::string& dataset, const std::string& prop, const std::string& value);
  /// Marks `dataset` as the source of a clone (see DatasetRecord::source).
  void mark_source(const std::string& dataset);
  /// Whether the source marks of this root can be trusted; marks them first when not.
  bool sources_tracked();
  void snapshot_as(const std::filesystem::path& source, const std::string& target, const sdk::DatasetOptions& opts,
                   const std::string& origin);
  void record_new(const std::string& dataset, const sdk::DatasetOptions& opts, const std::string& origin);
  std::vector<Snap> list_snaps(const std::string& ds) const;
  std::uint64_t snapshot_bytes(const std::string& ds, const std::string& snap, bool exclusive);
  void remove_snapshot(const std::string& ds, const std::string& snap);
  /// Deletes the dataset's subvolume (or plain directory) and snapshots.
  void remove_dataset(const std::string& ds);
  /// Finishes an interrupted rollback (see btrfs_leftovers.cpp).
  void settle_rollback(const std::filesystem::path& tmp);
  void settle_rollbacks_of(const std::string& dataset);
  bool dry(const std::string& what) const;
  sdk::DryRunLedger m_dry_made;
  void info(const std::string& line) const;

  sdk::HostContext m_host;
  std::filesystem::path m_root;
  sdk::records::RecordStore m_records;
  Subvolumes m_subvols;
  Qgroups m_qgroups;
  /// This process deleted subvolumes whose space the cleaner still holds.
  bool m_deleted = false;
};

}  // namespace iocell::plugins::btrfs
