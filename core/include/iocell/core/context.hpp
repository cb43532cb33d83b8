// Everything an operation needs: the host, the plugins, the chosen backends.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <iocell/core/plugin_manager.hpp>
#include <iocell/core/services.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::core {

struct GlobalOptions {
  std::filesystem::path root;  ///< empty: IOCELL_ROOT, else the OS default
  bool dry_run = false;
  int verbosity = 0;           ///< -v count
  bool quiet = false;          ///< -q
  std::string storage;         ///< --storage NAME when the root is initialized
};

class Inventory;

class Context {
 public:
  /// Detects the host, loads the plugins and prepares the root.
  Context(const GlobalOptions& opts, std::ostream& out, std::ostream& err, Services services = {});
  ~Context();

  sdk::HostOs os() const { return m_host.os; }
  const std::filesystem::path& root() const { return m_host.root; }
  sdk::HostContext& host() { return m_host; }
  sdk::CommandRunner& runner() { return *m_host.runner; }
  PluginManager& plugins();
  const GlobalOptions& options() const { return m_opts; }
  std::ostream& out() { return m_out; }
  std::ostream& err() { return m_err; }
  bool dry_run() const { return m_opts.dry_run; }
  /// The time now, from the clock the process was built with.
  std::time_t now() const;
  /// now() in local time, as strftime(3) formats it.
  std::string local_time(const char* format) const;
  /// A UUID for a new jail.
  std::string new_uuid();
  /// Whether runner() may be called from several threads at once (the real
  /// one, running commands for real).
  bool runner_is_concurrent() const { return m_runner_is_real && !m_opts.dry_run; }
  /// Whether commands that change state need root.
  bool checks_root() const { return m_services.check_root; }

  /// The storage backend of this root (chosen once and recorded in iocell.json).
  sdk::Storage& storage();
  /// Makes POOL the storage's pool and returns the storage ready. Unlike
  /// storage().activate(), it works where no pool is active yet: storage()
  /// would first have to find the active pool, which is what is missing.
  sdk::Storage& activate_pool(const std::string& pool);
  std::string storage_name();
  sdk::Runtime& runtime();
  sdk::Limits& limits();
  sdk::Network& network(bool vnet);
  sdk::JailType& jail_type(const std::string& type);
  sdk::Recorder& recorder();
  /// Throws Refused with a clear message on hosts without an updater.
  sdk::Updater& updater(const std::filesystem::path& system_root);
  sdk::Packages& packages();
  /// Reads and writes archives (fetch, import, export, package): loaded on
  /// first use, so other commands never map a compression library.
  sdk::Archiver& archiver();
  /// The host's port forwarder (jails whose rdr is not none); Refused when
  /// no plugin serves this OS.
  sdk::PortForwarder& forwarder();
  std::unique_ptr<sdk::Fetcher> fetcher(const std::string& scheme);
  Inventory& inventory();

  /// "14.3-RELEASE" on FreeBSD (uname -r without -pN); "" on Linux.
  std::string host_release();
  /// The jail layout paths.
  std::filesystem::path locks_dir() const { return root() / ".locks"; }
  std::filesystem::path log_dir() const { return root() / "log"; }
  std::filesystem::path defaults_file() const { return root() / "defaults.json"; }

  /// After a command: what the process was built to check then (a test's
  /// transcript played whole).
  void finish();

 private:
  void ensure_layout();
  /// A string the root's iocell.json holds under `key`, "" when none.
  std::string root_setting(const std::string& key);
  /// The storage whose probe scores the root highest.
  std::string best_storage();
  /// What storage() does once the plugin is ready: the root's directories,
  /// its mode when iocell made it, iocell.json.
  void settle_storage(const std::string& name, bool fresh);
  /// The component of a kind this root uses: the one its iocell.json names
  /// under the kind ("runtime": "NAME"), else the first by name of those
  /// serving this OS.
  std::string backend(ComponentKind kind);
  template <class T>
  T& cached(std::unique_ptr<T>& slot, ComponentKind kind, const std::string& name);

  GlobalOptions m_opts;
  Services m_services;
  std::ostream& m_out;
  std::ostream& m_err;
  std::unique_ptr<PluginManager> m_plugins;
  bool m_plugins_discovered = false;
  std::unique_ptr<sdk::CommandRunner> m_runner;      ///< what runs commands, unless the services bring one
  bool m_runner_is_real = false;
  std::unique_ptr<sdk::CommandRunner> m_dry_runner;  ///< --dry-run: records, runs only read-only commands
  sdk::HostContext m_host;
  std::string m_storage_name;
  std::optional<std::map<std::string, std::string>> m_root_settings;
  std::unique_ptr<sdk::Storage> m_storage;
  std::unique_ptr<sdk::Runtime> m_runtime;
  std::unique_ptr<sdk::Limits> m_limits;
  std::unique_ptr<sdk::Network> m_net_shared, m_net_vnet;
  std::map<std::string, std::unique_ptr<sdk::JailType>> m_types;
  std::unique_ptr<sdk::Recorder> m_recorder;
  std::unique_ptr<sdk::Packages> m_packages;
  std::unique_ptr<sdk::Archiver> m_archiver;
  std::unique_ptr<sdk::PortForwarder> m_forwarder;
  std::map<std::string, std::unique_ptr<sdk::Updater>> m_updaters;
  std::unique_ptr<Inventory> m_inventory;
};

}  // namespace iocell::core
