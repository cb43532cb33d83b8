#include <iocell/core/self_exe.hpp>
#include <iocell/core/plugin_manager.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>

#include <sys/stat.h>

#include <fstream>

#include <boost/dll/shared_library.hpp>

#include <iocell/core/config_store.hpp>

#include <iocell/core/errors.hpp>

namespace iocell::core {

namespace dll = boost::dll;

namespace {
// Every library ever loaded, for the whole life of the process: objects from
// plugins may outlive any one PluginManager (static storage at exit), so
// nothing is ever unloaded. Reachable from static storage on purpose, so
// that leak checkers see a kept handle, not a lost one.
void keep_loaded(dll::shared_library lib) {
  static auto* libraries = new std::vector<dll::shared_library>();
  libraries->push_back(std::move(lib));
}
}  // namespace

const char* to_string(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::Storage: return "storage";
    case ComponentKind::Runtime: return "runtime";
    case ComponentKind::Network: return "network";
    case ComponentKind::JailType: return "jail-type";
    case ComponentKind::Fetcher: return "fetcher";
    case ComponentKind::Limits: return "limits";
    case ComponentKind::Packages: return "packages";
    case ComponentKind::Recorder: return "recorder";
    case ComponentKind::Updater: return "updater";
    case ComponentKind::Archiver: return "archiver";
    case ComponentKind::Forwarder: return "forwarder";
    case ComponentKind::Checker: return "checker";
  }
  return "?";
}

PluginManager::PluginManager() = default;
PluginManager::~PluginManager() = default;

std::vector<std::filesystem::path> PluginManager::search_path() {
  // Plain strings: every command computes this, and path decomposition
  // costs more than the rest of it.
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("IOCELL_PLUGIN_PATH")) {
    std::string_view s(env);
    while (!s.empty()) {
      const size_t colon = s.find(':');
      std::string_view part = s.substr(0, colon);
      if (!part.empty()) dirs.emplace_back(part);
      if (colon == std::string_view::npos) break;
      s.remove_prefix(colon + 1);
    }
  }
  std::string prefix;
  try {
    prefix = self_exe().string();
  } catch (const std::exception&) {
    // Without the binary's path only IOCELL_PLUGIN_PATH and the install directory are searched.
  }
  if (!prefix.empty()) {
    for (int up = 0; up < 2 && prefix.rfind('/') != std::string::npos; ++up) prefix.erase(prefix.rfind('/'));
    dirs.push_back(prefix + "/plugins");              // build tree: build/bin/iocell
    dirs.push_back(prefix + "/lib/iocell/plugins");   // <prefix>/sbin/iocell
  }
  dirs.emplace_back(IOCELL_PLUGIN_INSTALL_DIR);
  std::vector<std::filesystem::path> unique;
  std::set<std::string> seen;
  for (auto& d : dirs) {
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    if (seen.insert(d).second) unique.emplace_back(d);
  }
  return unique;
}

void PluginManager::load_all(const std::vector<std::filesystem::path>& dirs) {
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const auto name = entry.path().filename().string();
      if (name.rfind("iocell-", 0) == 0 && entry.path().extension() == ".so") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) load_file(f);
  }
}

bool PluginManager::load_file(const std::filesystem::path& file) {
  auto warn = [&](const std::string& reason, PluginWarning::Kind kind = PluginWarning::Kind::Unusable) {
    m_warnings.push_back({file, reason, kind});
    return false;
  };
  dll::fs::error_code ec;
  // RTLD_LOCAL: every plugin exports the same entry symbol; it must only ever
  // be resolved through this library's own handle.
  dll::shared_library lib(file, ec, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
  if (ec) return warn("cannot load: " + ec.message());
  if (!lib.has(IOCELL_PLUGIN_ENTRY)) return warn("not an iocell plugin (no " IOCELL_PLUGIN_ENTRY " symbol)");
  using Entry = const sdk::PluginDescriptorV1*();
  const sdk::PluginDescriptorV1* d = lib.get<Entry>(IOCELL_PLUGIN_ENTRY)();
  if (d == nullptr) return warn("the plugin returned no descriptor");
  if (d->abi_version != IOCELL_PLUGIN_ABI_VERSION)
    return warn("built for plugin ABI " + std::to_string(d->abi_version) + ", this iocell uses ABI " +
                std::to_string(IOCELL_PLUGIN_ABI_VERSION));
  if (d->size < sizeof(sdk::PluginDescriptorV1)) return warn("descriptor too small for ABI 1");
  if (d->toolchain == nullptr || std::strcmp(d->toolchain, IOCELL_SDK_TOOLCHAIN_ID) != 0)
    return warn(std::string("built with toolchain ") + (d->toolchain ? d->toolchain : "?") + ", this iocell with " +
                IOCELL_SDK_TOOLCHAIN_ID);
  if (d->name == nullptr || d->register_all == nullptr) return warn("incomplete descriptor");
  for (const auto& p : m_plugins) {
    if (p.name == d->name) return warn("plugin " + p.name + " already loaded from " + p.path.string(), PluginWarning::Kind::Duplicate);
  }
  for (const auto& p : m_deferred) {
    if (p.name == d->name) return warn("plugin " + p.name + " already found in " + p.path, PluginWarning::Kind::Duplicate);
  }
  m_plugins.push_back(LoadedPlugin{d->name, d->version ? d->version : "", file, d->os, {}});
  m_registering = &m_plugins.back();
  d->register_all(*this);
  m_registering = nullptr;
  keep_loaded(std::move(lib));
  return true;
}

void PluginManager::add(ComponentKind kind, const char* name, std::uint32_t os, void (*factory)()) {
  if (name == nullptr || factory == nullptr) return;
  std::string plugin = m_registering ? m_registering->name : std::string("(static)");
  if (m_registering) m_registering->provides.emplace_back(to_string(kind), name);
  m_components[kind].push_back(Component{name, os, factory, plugin});
}

static std::uint32_t mask_of(sdk::HostOs os) { return os == sdk::HostOs::FreeBSD ? sdk::kFreeBSD : sdk::kLinux; }

void (*PluginManager::find(ComponentKind kind, const std::string& name, sdk::HostOs os))() {
  ensure_loaded(kind, name, os);
  auto it = m_components.find(kind);
  if (it != m_components.end()) {
    for (const auto& c : it->second) {
      if (c.name == name && (c.os & mask_of(os))) return c.factory;
    }
  }
  std::string available;
  for (const auto& n : names(kind, os)) available += (available.empty() ? "" : ", ") + n;
  throw NotFound(std::string("no ") + to_string(kind) + " named '" + name + "' for " + sdk::to_string(os) +
                 " among the loaded plugins" + (available.empty() ? "" : " (available: " + available + ")") +
                 "; see iocell plugins");
}

std::vector<std::string> PluginManager::names(ComponentKind kind, sdk::HostOs os) const {
  std::vector<std::string> out;
  auto add_name = [&](const std::string& n) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  if (auto it = m_components.find(kind); it != m_components.end()) {
    for (const auto& c : it->second)
      if (c.os & mask_of(os)) add_name(c.name);
  }
  for (const auto& d : m_deferred) {
    if (!(d.os & mask_of(os))) continue;
    for (const auto& [k, n] : d.provides)
      if (k == to_string(kind)) add_name(n);
  }
  return out;
}

bool PluginManager::ensure_loaded(ComponentKind kind, const std::string& name, sdk::HostOs os) {
  for (size_t i = 0; i < m_deferred.size(); ++i) {
    const auto& d = m_deferred[i];
    if (!(d.os & mask_of(os))) continue;
    bool provides = false;
    for (const auto& [k, n] : d.provides) provides = provides || (k == to_string(kind) && n == name);
    if (provides) return load_deferred_entry(i);
  }
  return false;
}

void PluginManager::load_deferred() {
  while (!m_deferred.empty()) load_deferred_entry(0);
}

namespace {
std::string file_key(const std::filesystem::path& p);
}

bool PluginManager::load_deferred_entry(size_t i) {
  const IndexedPlugin d = m_deferred[i];
  m_deferred.erase(m_deferred.begin() + static_cast<long>(i));
  if (file_key(d.path) == d.key) return load_file(d.path);
  // Replaced in place since the index was written: what the index says of
  // the other files is suspect too.
  std::error_code ec;
  if (!m_index_file.empty()) std::filesystem::remove(m_index_file, ec);
  const bool ok = load_file(d.path);
  load_deferred();
  return ok;
}

namespace {
std::string file_key(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}
}  // namespace

namespace {
// A directory's identity and last change: files added, removed or renamed
// in it change its mtime. A file replaced in place does not, which the
// per-file check at load time (load_deferred_entry) catches.
std::string dir_key(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}
}  // namespace

namespace {
// The running binary, by identity: the index is only trusted by the binary that wrote it.
std::string exe_key() {
  struct stat st {};
  std::string path;
  try {
    path = self_exe().string();
  } catch (const std::exception&) {
    return "";
  }
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}
}  // namespace

// Every command runs this, so the common case costs one stat per plugin
// directory and the read of one small file: no listing, no stat per plugin.
void PluginManager::discover(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& index_file) {
  m_index_file = index_file;
  const auto text = read_file_if_exists(index_file);
  const std::string exe = exe_key();
  PluginIndex index;
  if (text) {
    if (auto parsed = parse_plugin_index(*text); parsed && parsed->exe == exe) index = std::move(*parsed);
  }
  std::set<std::string> names_seen;
  auto remember = [&](const IndexedPlugin& f) {
    if (!f.skipped.empty()) {
      m_warnings.push_back({f.path, f.skipped});
    } else if (!names_seen.insert(f.name).second) {
      m_warnings.push_back({f.path, "plugin " + f.name + " already found earlier in the search path", PluginWarning::Kind::Duplicate});
    } else {
      m_deferred.push_back(f);
    }
  };
  struct Present {
    std::string path, key;
  };
  std::vector<Present> present;
  for (const auto& dir : dirs) {
    std::string key = dir_key(dir);
    if (!key.empty()) present.push_back({dir.string(), std::move(key)});
  }
  // The usual case: every directory as the index saw it.
  bool current = index.dirs.size() == present.size();
  for (size_t i = 0; current && i < present.size(); ++i)
    current = index.dirs[i].path == present[i].path && index.dirs[i].key == present[i].key;
  if (current) {
    for (const auto& d : index.dirs)
      for (const auto& f : d.files) remember(f);
    return;
  }
  PluginIndex fresh;
  fresh.exe = exe;
  for (const auto& [dname, dkey] : present) {
    if (const IndexedDir* cached = index.dir(dname); cached && cached->key == dkey) {
      for (const auto& f : cached->files) remember(f);  // unchanged since the index was written
      fresh.dirs.push_back(*cached);
      continue;
    }
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dname, ec)) {
      const auto fname = entry.path().filename().string();
      if (fname.rfind("iocell-", 0) == 0 && entry.path().extension() == ".so") found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    IndexedDir out{dname, dkey, {}};
    for (const auto& f : found) {
      const std::string key = file_key(f);
      if (const IndexedPlugin* cached = index.file(f.string()); cached && cached->key == key) {
        remember(*cached);
        out.files.push_back(*cached);
        continue;
      }
      const size_t warnings_before = m_warnings.size();
      IndexedPlugin entry;
      entry.path = f.string();
      entry.key = key;
      if (load_file(f)) {
        const auto& p = m_plugins.back();
        names_seen.insert(p.name);
        entry.name = p.name;
        entry.version = p.version;
        entry.os = p.os;
        entry.provides = p.provides;
      } else if (m_warnings.size() > warnings_before && m_warnings.back().kind == PluginWarning::Kind::Unusable) {
        entry.skipped = m_warnings.back().reason;
      } else {
        out.key.clear();  // a duplicate name: decided again next time
        continue;
      }
      out.files.push_back(std::move(entry));
    }
    fresh.dirs.push_back(std::move(out));
  }
  const std::string written = serialize_plugin_index(fresh);
  if (text && *text == written) return;
  std::error_code ec;
  if (!std::filesystem::is_directory(index_file.parent_path(), ec)) return;
  try {
    write_file_atomic(index_file, written);
  } catch (const std::exception&) {
    // Not writable (a read-only command by a user): the index is only a cache.
  }
}

bool PluginManager::has(ComponentKind kind, const std::string& name, sdk::HostOs os) const {
  auto n = names(kind, os);
  return std::find(n.begin(), n.end(), name) != n.end();
}

#define IOCELL_ADD(method, kind, T)                                                                \
  void PluginManager::method(const char* name, std::uint32_t os, sdk::Factory<sdk::T> factory) {  \
    add(ComponentKind::kind, name, os, reinterpret_cast<void (*)()>(factory));                      \
  }
IOCELL_ADD(add_storage, Storage, Storage)
IOCELL_ADD(add_runtime, Runtime, Runtime)
IOCELL_ADD(add_network, Network, Network)
IOCELL_ADD(add_jail_type, JailType, JailType)
IOCELL_ADD(add_fetcher, Fetcher, Fetcher)
IOCELL_ADD(add_limits, Limits, Limits)
IOCELL_ADD(add_packages, Packages, Packages)
IOCELL_ADD(add_recorder, Recorder, Recorder)
IOCELL_ADD(add_updater, Updater, Updater)
IOCELL_ADD(add_archiver, Archiver, Archiver)
IOCELL_ADD(add_forwarder, Forwarder, PortForwarder)
IOCELL_ADD(add_checker, Checker, HostChecker)
#undef IOCELL_ADD

}  // namespace iocell::core
