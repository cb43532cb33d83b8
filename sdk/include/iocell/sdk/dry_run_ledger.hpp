// What a --dry-run pretended to make, so that the next step of the same
// command (a clone into the dataset it "created", a rename of it) is
// reported instead of failing on a dataset that does not exist.
#pragma once

#include <set>
#include <string>

namespace iocell::sdk {

class DryRunLedger {
 public:
  void made(const std::string& dataset) { m_datasets.insert(dataset); }
  void snapshot_made(const std::string& dataset, const std::string& snap) { m_snapshots.insert(dataset + "@" + snap); }
  /// The dataset, or one it lies under, was made by this dry run.
  bool has(const std::string& dataset) const {
    for (std::string ds = dataset;; ds = ds.substr(0, ds.rfind('/'))) {
      if (m_datasets.count(ds)) return true;
      if (ds.find('/') == std::string::npos) return false;
    }
  }
  bool has_snapshot(const std::string& dataset, const std::string& snap) const {
    return m_snapshots.count(dataset + "@" + snap) != 0 || has(dataset);
  }

 private:
  std::set<std::string> m_datasets;
  std::set<std::string> m_snapshots;
};

}  // namespace iocell::sdk
