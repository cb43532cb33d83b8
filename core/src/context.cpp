#include <iocell/core/context.hpp>

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iocell/core/config_store.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/support/release_name.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/jail_types.hpp>
#include <iocell/core/type_properties.hpp>
#include <iocell/core/runners.hpp>
#include <iocell/sdk/forwarder.hpp>

namespace iocell::core {

namespace {

sdk::HostOs detect_os() {
  utsname u{};
  ::uname(&u);
  return std::string(u.sysname) == "FreeBSD" ? sdk::HostOs::FreeBSD : sdk::HostOs::Linux;
}

std::filesystem::path default_root(sdk::HostOs os) {
  if (const char* env = std::getenv("IOCELL_ROOT"); env && *env) return env;
  return os == sdk::HostOs::FreeBSD ? "/iocell" : "/var/lib/iocell";
}

}  // namespace

Context::Context(const GlobalOptions& opts, std::ostream& out, std::ostream& err, Services services)
    : m_opts(opts), m_services(std::move(services)), m_out(out), m_err(err), m_plugins(std::make_unique<PluginManager>()) {
  m_host.os = m_services.os ? *m_services.os : detect_os();
  m_host.root = opts.root.empty() ? default_root(m_host.os) : opts.root;
  m_host.root = std::filesystem::absolute(m_host.root).lexically_normal();
  if (m_host.root.has_filename() == false && m_host.root != "/") m_host.root = m_host.root.parent_path();
  m_host.dry_run = opts.dry_run;

  m_runner_is_real = !m_services.runner;
  if (m_services.runner) m_runner = std::move(m_services.runner);
  else m_runner = std::make_unique<PosixRunner>();
  if (opts.dry_run) {
    m_dry_runner = std::make_unique<RecordingRunner>(out, *m_runner);
    m_host.on_dry_run = [&out](const std::string& what) { out << "would " << what << "\n"; };
  }
  m_host.runner = m_dry_runner ? m_dry_runner.get() : m_runner.get();

  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(opts.verbosity > 0 ? spdlog::level::debug : (opts.quiet ? spdlog::level::err : spdlog::level::warn));
  console->set_pattern("%^%l%$: %v");
  m_host.log = std::make_shared<spdlog::logger>("iocell", console);
  m_host.log->set_level(spdlog::level::debug);
  m_host.archiver = [this]() -> sdk::Archiver& { return archiver(); };
  // A property name the core's table lacks may be a jail type's own
  // (image= of a type that builds jails from images).
  set_type_property_source(this, [this] {
    std::vector<sdk::TypeProperty> declared;
    for (const auto& name : jail_type_names(*this)) {
      auto props = jail_type(name).properties();
      declared.insert(declared.end(), props.begin(), props.end());
    }
    return declared;
  });
}

// Discovery waits for the first component asked for: `version`, `help` and
// the like never look at a plugin.
PluginManager& Context::plugins() {
  if (!m_plugins_discovered) {
    m_plugins_discovered = true;
    m_plugins->discover(PluginManager::search_path(), m_host.root / ".plugin-index");
    for (const auto& w : m_plugins->warnings())
      m_host.log->warn("skipping plugin {}: {}", w.path.string(), w.reason);
  }
  return *m_plugins;
}

Context::~Context() { clear_type_property_source(this); }

void Context::ensure_layout() {
  if (dry_run()) return;
  std::error_code ec;
  std::filesystem::create_directories(root(), ec);
  // One mkdir each (EEXIST is the usual answer): every command that
  // touches storage comes through here.
  const std::string base = root().string() + "/";
  // Every tree here is root's alone: jails and releases hold setuid
  // binaries, downloads and images whole systems, the log what was done. A
  // root laid out by an older iocell (0755) is closed by the next command.
  for (const char* d : {"jails", "templates", "releases", "download", "packages", "images", "log", ".locks", "base"}) {
    const std::string path = base + d;
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    ::chmod(path.c_str(), 0700);
  }
  // The plugin index of iocell 0.1 was JSON under another name; it is never read again.
  ::unlink((base + ".plugin-index.json").c_str());
  // A log file per operation: the log file sink is added once the root exists.
  if (!m_host.log->sinks().empty() && m_host.log->sinks().size() == 1) {
    try {
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>((log_dir() / "iocell.log").string());
      file->set_level(spdlog::level::debug);
      file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [pid %P] %l: %v");
      m_host.log->sinks().push_back(file);
    } catch (const std::exception&) {
      // A read-only log directory must not stop the operation.
    }
  }
}

std::string Context::storage_name() {
  if (!m_storage_name.empty()) return m_storage_name;
  m_storage_name = root_setting("storage");
  if (m_storage_name.empty()) {
    if (!m_opts.storage.empty()) m_storage_name = m_opts.storage;
    else if (const char* env = std::getenv("IOCELL_STORAGE"); env && *env) m_storage_name = env;
    else m_storage_name = best_storage();
  } else if (!m_opts.storage.empty() && m_opts.storage != m_storage_name) {
    throw UsageError("the root " + root().string() + " uses storage " + m_storage_name + ", not " + m_opts.storage);
  }
  return m_storage_name;
}

std::string Context::root_setting(const std::string& key) {
  if (!m_root_settings) {
    m_root_settings.emplace();
    if (auto text = read_file_if_exists(root() / "iocell.json")) {
      auto j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
          if (it->is_string()) (*m_root_settings)[it.key()] = it->get<std::string>();
    }
  }
  auto it = m_root_settings->find(key);
  return it == m_root_settings->end() ? "" : it->second;
}

std::string Context::best_storage() {
  std::string best;
  int best_score = 0;
  for (const auto& name : plugins().names(ComponentKind::Storage, os())) {
    const int score = plugins().make<sdk::Storage>(ComponentKind::Storage, name, m_host)->probe(root());
    if (score > best_score || (score == best_score && score > 0 && name < best)) best = name, best_score = score;
  }
  if (best.empty())
    throw Refused("no storage plugin serves the root " + root().string() + " (iocell plugins lists them; --storage NAME picks one)");
  return best;
}

sdk::Storage& Context::storage() {
  if (m_storage) return *m_storage;
  const std::string name = storage_name();
  // A root iocell makes is closed too; one that exists is left as it is,
  // since it may be a directory the administrator shares ("/iocell" is a
  // dataset's mountpoint, a --root may be anything). Decided before the
  // storage initializes, which may make the directory.
  std::error_code ec;
  const bool fresh = !dry_run() && !std::filesystem::exists(root(), ec) && !ec;
  m_storage = plugins().make<sdk::Storage>(ComponentKind::Storage, name, m_host);
  m_storage->initialize();
  settle_storage(name, fresh);
  return *m_storage;
}

sdk::Storage& Context::activate_pool(const std::string& pool) {
  if (m_storage) {
    m_storage->activate(pool);
    return *m_storage;
  }
  const std::string name = storage_name();
  std::error_code ec;
  const bool fresh = !dry_run() && !std::filesystem::exists(root(), ec) && !ec;
  // activate() brings up the pool's tree (on ZFS: mounted at the root)
  // before the root's directories and iocell.json are made, so that they
  // land in it rather than under it.
  auto storage = plugins().make<sdk::Storage>(ComponentKind::Storage, name, m_host);
  storage->activate(pool);
  m_storage = std::move(storage);
  settle_storage(name, fresh);
  return *m_storage;
}

void Context::settle_storage(const std::string& name, bool fresh) {
  ensure_layout();
  if (fresh) ::chmod(root().c_str(), 0700);
  std::error_code ec;
  const auto marker = root() / "iocell.json";
  if (!dry_run() && !std::filesystem::exists(marker, ec)) {
    nlohmann::json j{{"storage", name}, {"layout_version", 1}};
    write_file_atomic(marker, j.dump(2) + "\n");
  }
}

template <class T>
T& Context::cached(std::unique_ptr<T>& slot, ComponentKind kind, const std::string& name) {
  if (!slot) slot = plugins().make<T>(kind, name, m_host);
  return *slot;
}

std::string Context::backend(ComponentKind kind) {
  const std::string key = to_string(kind);
  if (std::string named = root_setting(key); !named.empty()) return named;
  auto names = plugins().names(kind, os());
  if (names.empty())
    throw Refused(std::string("no ") + key + " plugin serves " + sdk::to_string(os()) + " (iocell plugins lists the loaded ones)");
  std::sort(names.begin(), names.end());
  return names.front();
}

sdk::Runtime& Context::runtime() {
  if (!m_runtime) m_runtime = plugins().make<sdk::Runtime>(ComponentKind::Runtime, backend(ComponentKind::Runtime), m_host);
  return *m_runtime;
}
sdk::Limits& Context::limits() {
  if (!m_limits) m_limits = plugins().make<sdk::Limits>(ComponentKind::Limits, backend(ComponentKind::Limits), m_host);
  return *m_limits;
}
sdk::Network& Context::network(bool vnet) {
  auto& slot = vnet ? m_net_vnet : m_net_shared;
  if (slot) return *slot;
  // A root may name its providers ("network-vnet", "network-shared");
  // otherwise the first by name of the right kind serving this OS.
  const std::string named = root_setting(vnet ? "network-vnet" : "network-shared");
  auto names = plugins().names(ComponentKind::Network, os());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (!named.empty() && n != named) continue;
    auto net = plugins().make<sdk::Network>(ComponentKind::Network, n, m_host);
    if (!named.empty() || net->own_stack() == vnet) {
      slot = std::move(net);
      return *slot;
    }
  }
  throw Refused(std::string("no network plugin for ") + sdk::to_string(os()) + " gives jails " +
                (vnet ? "a network stack of their own (vnet=on)" : "addresses on the host's stack (vnet=off)") +
                (named.empty() ? "" : ": the root names '" + named + "'") + " (iocell plugins lists them)");
}
sdk::Recorder& Context::recorder() {
  if (!m_recorder) m_recorder = plugins().make<sdk::Recorder>(ComponentKind::Recorder, backend(ComponentKind::Recorder), m_host);
  return *m_recorder;
}
sdk::Packages& Context::packages() {
  if (!m_packages) m_packages = plugins().make<sdk::Packages>(ComponentKind::Packages, backend(ComponentKind::Packages), m_host);
  return *m_packages;
}
sdk::PortForwarder& Context::forwarder() {
  if (!m_forwarder)
    m_forwarder = plugins().make<sdk::PortForwarder>(ComponentKind::Forwarder, backend(ComponentKind::Forwarder), m_host);
  return *m_forwarder;
}
sdk::Archiver& Context::archiver() {
  if (!m_archiver) m_archiver = plugins().make<sdk::Archiver>(ComponentKind::Archiver, backend(ComponentKind::Archiver), m_host);
  return *m_archiver;
}

sdk::JailType& Context::jail_type(const std::string& type) {
  auto& slot = m_types[type];
  return cached(slot, ComponentKind::JailType, type);
}

sdk::Updater& Context::updater(const std::filesystem::path& system_root) {
  for (const auto& name : plugins().names(ComponentKind::Updater, os())) {
    auto& slot = m_updaters[name];
    auto& u = cached(slot, ComponentKind::Updater, name);
    if (u.handles(system_root)) return u;
  }
  if (os() == sdk::HostOs::Linux)
    throw Refused("update and upgrade apply FreeBSD binary patches (freebsd-update or pkgbase); this Linux host has no FreeBSD userland to update");
  throw Refused("no updater plugin handles the system at " + system_root.string() + " (iocell plugins lists them)");
}

std::unique_ptr<sdk::Fetcher> Context::fetcher(const std::string& scheme) {
  return plugins().make<sdk::Fetcher>(ComponentKind::Fetcher, scheme, m_host);
}

Inventory& Context::inventory() {
  if (!m_inventory) m_inventory = std::make_unique<Inventory>(*this);
  return *m_inventory;
}

std::string Context::host_release() {
  if (os() != sdk::HostOs::FreeBSD) return "";
  auto res = runner().check({"uname", "-r"});
  std::string rel = res.out.substr(0, res.out.find('\n'));
  auto name = support::parse_release_name(rel);
  return name ? name->base() : rel;
}

void Context::finish() {
  if (m_services.at_finish) m_services.at_finish();
}

std::time_t Context::now() const { return m_services.clock ? m_services.clock() : std::time(nullptr); }

std::string Context::local_time(const char* format) const {
  const std::time_t t = now();
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

std::string Context::new_uuid() { return m_services.uuid ? m_services.uuid() : Inventory::new_uuid(); }

}  // namespace iocell::core
