// What plain directories cannot say about themselves: which directories are
// datasets, their flags, user properties, and clone relations. One small
// JSON file per dataset under <root>/.datasets, written atomically, so that
// operations on different jails never rewrite each other's records.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

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
};

/// Checks a dataset name ("jails/<uuid>/root") and throws naming what is wrong.
void validate_dataset(const std::string& dataset);
/// Checks a snapshot name (the part after '@').
void validate_snapshot(const std::string& snap);
/// A dataset name as one path component: '%' -> "%25", '/' -> "%2F".
std::string escape(const std::string& dataset);
std::string unescape(const std::string& escaped);

class MetaStore {
 public:
  explicit MetaStore(std::filesystem::path root) : m_root(std::move(root)) {}

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
  std::filesystem::path file(const std::string& ds) const { return datasets_dir() / (escape(ds) + ".json"); }
  std::filesystem::path m_root;
};

/// Writes a file atomically: temp file, fsync, rename, fsync of the directory.
void write_atomic(const std::filesystem::path& path, const std::string& content);

}  // namespace iocell::plugins::dir
