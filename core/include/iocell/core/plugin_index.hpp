// The plugin index: what discovery learnt of each plugin file, so that a
// command loads only the plugins it uses and reads one small file to know
// the rest. Every command reads it, so it is a line format that parses
// without building a document; it is a private cache, rebuilt whenever it
// does not match the plugin directories or this iocell.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iocell::core {

struct IndexedPlugin {
  std::string path;
  std::string key;      ///< size and mtime of the file when it was indexed
  std::string skipped;  ///< non-empty: not a loadable plugin, for this reason
  std::string name;
  std::string version;
  std::uint32_t os = 0;
  /// (kind, component name) pairs: ("storage", "zfs").
  std::vector<std::pair<std::string, std::string>> provides;
};

struct IndexedDir {
  std::string path;
  /// Identity and mtime of the directory when every file in it was indexed;
  /// empty when the listing must be made again (a duplicate plugin name).
  std::string key;
  std::vector<IndexedPlugin> files;
};

struct PluginIndex {
  /// The iocell binary that loaded every plugin listed (identity, size,
  /// mtime): what one binary resolved, it resolves again, so its later loads
  /// can bind lazily. Another binary indexes afresh.
  std::string exe;
  std::vector<IndexedDir> dirs;

  const IndexedDir* dir(std::string_view path) const;
  const IndexedPlugin* file(std::string_view path) const;
};

/// The text of the index, stamped with the plugin ABI and the toolchain.
std::string serialize_plugin_index(const PluginIndex& index);
/// Nothing when the text is damaged or was written for another ABI or
/// toolchain: the caller then indexes afresh.
std::optional<PluginIndex> parse_plugin_index(std::string_view text);

}  // namespace iocell::core
