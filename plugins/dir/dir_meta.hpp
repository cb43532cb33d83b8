// What plain directories cannot say about themselves: which directories are
// datasets, their flags, user properties, and clone relations (records under
// <root>/.datasets, see sdk/dataset_records.hpp), and where snapshot copies
// and overlay layers live.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/dataset_records.hpp>

namespace iocell::plugins::dir {

enum class CloneKind { None, Overlay, Copy };

struct DatasetMeta {
  bool readonly = false;
  /// "dataset@snap" this dataset was cloned from, "" when it is no clone.
  std::string origin;
  CloneKind clone = CloneKind::None;
  /// User properties (names with a ':', as in ZFS).
  std::map<std::string, std::string> user;
};

struct SnapMeta {
  std::int64_t created_ns = 0;  ///< CLOCK_REALTIME when the copy started
  std::uint64_t referenced = 0;
  /// The datasets a recursive snapshot took at once, named relative to the
  /// one it was taken of ("." for that one), so that they follow a rename:
  /// this dataset's name first, then every member's. Empty for a snapshot
  /// of one dataset. The set counts only when each member holds the
  /// snapshot (a kill between two of them leaves a part).
  std::vector<std::string> set;
};

using sdk::records::escape;
using sdk::records::validate_dataset;
using sdk::records::validate_snapshot;

class MetaStore {
 public:
  explicit MetaStore(std::filesystem::path root) : m_root(root), m_records(root / ".datasets") {}

  std::filesystem::path datasets_dir() const { return m_root / ".datasets"; }
  std::filesystem::path snapshots_dir(const std::string& ds) const { return m_root / ".snapshots" / escape(ds); }
  std::filesystem::path snapshot_dir(const std::string& ds, const std::string& snap) const {
    return snapshots_dir(ds) / snap;
  }
  std::filesystem::path snapshot_data(const std::string& ds, const std::string& snap) const {
    return snapshot_dir(ds, snap) / "data";
  }
  std::filesystem::path overlay_dir(const std::string& ds) const { return m_root / ".overlay" / escape(ds); }

  std::optional<DatasetMeta> load(const std::string& ds) const;
  void save(const std::string& ds, const DatasetMeta& meta) const;
  void remove(const std::string& ds) const;
  /// Every dataset with a record, sorted (parents before children).
  std::vector<std::string> all() const;

  std::optional<SnapMeta> load_snapshot(const std::string& ds, const std::string& snap) const;
  static void save_snapshot(const std::filesystem::path& snap_dir, const SnapMeta& meta);

 private:
  std::filesystem::path m_root;
  sdk::records::RecordStore m_records;
};

}  // namespace iocell::plugins::dir
