// Names the zfs storage accepts and how they map to ZFS: a dataset name
// relative to the iocell root ("jails/<uuid>/root") is the ZFS dataset
// <pool>/iocell/jails/<uuid>/root. Every name and value is checked before it
// reaches an argv, so that nothing a user typed can become an option of zfs
// (a leading '-') or a name outside the iocell tree ('..', '@', '/').
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <iocell/sdk/storage.hpp>

namespace iocell::plugins::zfs {

/// Throws unless `rel` is a dataset name relative to the iocell root:
/// '/'-separated components of [A-Za-z0-9_.:-], none empty, "." or "..",
/// none starting with '-'. Spaces, legal in ZFS, are refused: iocell never
/// makes them and they make zfs output ambiguous to read.
void check_dataset(const std::string& rel);
/// Throws unless `snap` is a snapshot name (the part after '@').
void check_snapshot(const std::string& snap);
/// Throws unless `pool` is a zpool name.
void check_pool(const std::string& pool);

/// "pool/fs" of "pool/fs@snap" (the whole name when there is no '@').
inline std::string dataset_of(const std::string& name) { return name.substr(0, name.find('@')); }

/// Properties the storage sets (create, clone, set_property) and reads.
bool settable_property(const std::string& prop);
bool readable_property(const std::string& prop);
/// The settable properties, comma separated, for error messages.
std::string settable_list();
std::string readable_list();
/// Throws unless `value` is a valid value of the settable property `prop`.
void check_value(const std::string& prop, const std::string& value);

/// The properties of `opts` checked, with read-only folded in as
/// readonly=on (a conflicting readonly=off throws).
std::map<std::string, std::string> checked_options(const sdk::DatasetOptions& opts);

/// The ZFS tree of one pool: <pool>/iocell, mounted at the iocell root.
class Layout {
 public:
  Layout() = default;
  Layout(std::string pool, std::filesystem::path root);

  const std::string& pool() const { return m_pool; }
  /// "<pool>/iocell".
  const std::string& top() const { return m_top; }
  const std::filesystem::path& root() const { return m_root; }
  /// The ZFS name of a relative dataset; checks `rel` (the top itself is
  /// never an operand: "" is refused).
  std::string full(const std::string& rel) const;
  /// "<full>@<snap>"; checks both.
  std::string full_snapshot(const std::string& rel, const std::string& snap) const;
  /// The relative name of a ZFS dataset (or "ds@snap") inside the tree,
  /// nullopt outside it.
  std::optional<std::string> relative(const std::string& full_name) const;
  /// Whether `full_name` is `full_ds` itself or a descendant of it.
  static bool within(const std::string& full_name, const std::string& full_ds);

 private:
  std::string m_pool;
  std::string m_top;
  std::filesystem::path m_root;
};

}  // namespace iocell::plugins::zfs
