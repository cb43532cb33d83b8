// Loads plugins with Boost.DLL and keeps what they registered.
//
// Libraries are never unloaded while the process runs: every object a
// factory returns has its code (vtable, destructor) in a plugin, so the
// handles are deliberately kept until exit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <iocell/core/plugin_index.hpp>
#include <iocell/sdk/plugin.hpp>

namespace iocell::core {

struct LoadedPlugin {
  std::string name;
  std::string version;
  std::filesystem::path path;
  std::uint32_t os = 0;
  /// (kind, component name) pairs: ("storage", "zfs"), ("fetcher", "https").
  std::vector<std::pair<std::string, std::string>> provides;
};

struct PluginWarning {
  /// Unusable: the file is no plugin of this ABI and toolchain (remembered in
  /// the index as skipped). Duplicate: a plugin of that name came first in the
  /// search path (decided again each time: the first one may go away).
  enum class Kind { Unusable, Duplicate };
  std::filesystem::path path;
  std::string reason;
  Kind kind = Kind::Unusable;
};

enum class ComponentKind { Storage, Runtime, Network, JailType, Fetcher, Limits, Packages, Recorder, Updater, Archiver, Forwarder, Checker };
const char* to_string(ComponentKind kind);

class PluginManager final : public sdk::Registrar {
 public:
  PluginManager();
  ~PluginManager();
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  /// The directories searched, in order: IOCELL_PLUGIN_PATH (colon separated),
  /// the build tree next to the executable, <prefix>/lib/iocell/plugins next
  /// to the executable, and the compiled-in install directory.
  static std::vector<std::filesystem::path> search_path();
  /// Loads every iocell-*.so of the directories; the first plugin of a name wins.
  void load_all(const std::vector<std::filesystem::path>& dirs);
  /// Like load_all, but a plugin already described in the index file (same
  /// path, size and modification time) is only remembered, and loaded when
  /// one of its components is first asked for. A command then pays for the
  /// plugins it uses, not for all of them (libcurl alone costs milliseconds).
  /// The index (plugin_index.hpp) is rewritten when it changed and the
  /// file's directory exists.
  void discover(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& index_file);
  /// Loads whatever discover() left for later (iocell plugins shows all).
  void load_deferred();
  /// Loads one file with every symbol bound at once, so that a plugin that
  /// lacks one is refused with a message. Returns false (with a warning
  /// recorded) when the file is not a loadable iocell plugin of this ABI.
  bool load_file(const std::filesystem::path& file);

  const std::vector<LoadedPlugin>& plugins() const { return m_plugins; }
  const std::vector<PluginWarning>& warnings() const { return m_warnings; }

  /// Component names of a kind that serve the given OS (deferred plugins included).
  std::vector<std::string> names(ComponentKind kind, sdk::HostOs os) const;
  bool has(ComponentKind kind, const std::string& name, sdk::HostOs os) const;

  template <class T>
  std::unique_ptr<T> make(ComponentKind kind, const std::string& name, const sdk::HostContext& host) {
    auto factory = reinterpret_cast<sdk::Factory<T>>(find(kind, name, host.os));
    return factory(host);
  }

  // sdk::Registrar
  void add_storage(const char* name, std::uint32_t os, sdk::Factory<sdk::Storage> make) override;
  void add_runtime(const char* name, std::uint32_t os, sdk::Factory<sdk::Runtime> make) override;
  void add_network(const char* name, std::uint32_t os, sdk::Factory<sdk::Network> make) override;
  void add_jail_type(const char* name, std::uint32_t os, sdk::Factory<sdk::JailType> make) override;
  void add_fetcher(const char* name, std::uint32_t os, sdk::Factory<sdk::Fetcher> make) override;
  void add_limits(const char* name, std::uint32_t os, sdk::Factory<sdk::Limits> make) override;
  void add_packages(const char* name, std::uint32_t os, sdk::Factory<sdk::Packages> make) override;
  void add_recorder(const char* name, std::uint32_t os, sdk::Factory<sdk::Recorder> make) override;
  void add_updater(const char* name, std::uint32_t os, sdk::Factory<sdk::Updater> make) override;
  void add_archiver(const char* name, std::uint32_t os, sdk::Factory<sdk::Archiver> make) override;
  void add_forwarder(const char* name, std::uint32_t os, sdk::Factory<sdk::PortForwarder> make) override;
  void add_checker(const char* name, std::uint32_t os, sdk::Factory<sdk::HostChecker> make) override;

 private:
  struct Component {
    std::string name;
    std::uint32_t os;
    void (*factory)();  // type-erased sdk::Factory<T>
    std::string plugin;
  };
  void add(ComponentKind kind, const char* name, std::uint32_t os, void (*factory)());
  void (*find(ComponentKind kind, const std::string& name, sdk::HostOs os))();

  bool ensure_loaded(ComponentKind kind, const std::string& name, sdk::HostOs os);

  /// Loads a deferred plugin, first checking that the file is still the one
  /// the index described; when it is not, the index is dropped (the next
  /// command rebuilds it) and every deferred plugin is loaded for real.
  bool load_deferred_entry(size_t i);

  /// Known from the index, loaded on first use; the key is checked first.
  std::vector<IndexedPlugin> m_deferred;
  std::filesystem::path m_index_file;
  std::vector<LoadedPlugin> m_plugins;
  std::vector<PluginWarning> m_warnings;
  std::map<ComponentKind, std::vector<Component>> m_components;
  LoadedPlugin* m_registering = nullptr;
};

}  // namespace iocell::core
