#include <iocell/core/plugin_manager.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>

#include <sys/stat.h>

#include <fstream>

#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>

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
  }
  return "?";
}

PluginManager::PluginManager() = default;
PluginManager::~PluginManager() = default;

std::vector<std::filesystem::path> PluginManager::search_path() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("IOCELL_PLUGIN_PATH")) {
    std::string s(env);
    size_t start = 0;
    while (start <= s.size()) {
      size_t colon = s.find(':', start);
      std::string part = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!part.empty()) dirs.emplace_back(part);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto bindir = exe.parent_path();
    dirs.push_back(bindir.parent_path() / "plugins");                 // build tree: build/bin/iocell
    dirs.push_back(bindir.parent_path() / "lib" / "iocell" / "plugins");  // <prefix>/sbin/iocell
  }
  dirs.emplace_back(IOCELL_PLUGIN_INSTALL_DIR);
  std::vector<std::filesystem::path> unique;
  std::set<std::string> seen;
  for (auto& d : dirs) {
    auto key = d.lexically_normal().string();
    if (seen.insert(key).second) unique.push_back(d);
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
  auto warn = [&](const std::string& reason) {
    m_warnings.push_back({file, reason});
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
    if (p.name == d->name) return warn("plugin " + p.name + " already loaded from " + p.path.string());
  }
  for (const auto& p : m_deferred) {
    if (p.info.name == d->name) return warn("plugin " + p.info.name + " already found in " + p.path.string());
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
    if (!(d.info.os & mask_of(os))) continue;
    for (const auto& [k, n] : d.info.provides)
      if (k == to_string(kind)) add_name(n);
  }
  return out;
}

bool PluginManager::ensure_loaded(ComponentKind kind, const std::string& name, sdk::HostOs os) {
  for (size_t i = 0; i < m_deferred.size(); ++i) {
    const auto& d = m_deferred[i];
    if (!(d.info.os & mask_of(os))) continue;
    bool provides = false;
    for (const auto& [k, n] : d.info.provides) provides = provides || (k == to_string(kind) && n == name);
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
  const Deferred d = m_deferred[i];
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

// Every command runs this, so the common case costs one stat per plugin
// directory and one small parse: no listing, no stat per plugin file.
void PluginManager::discover(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& index_file) {
  m_index_file = index_file;
  nlohmann::json index = nlohmann::json::object();
  try {
    if (auto text = read_file_if_exists(index_file)) index = nlohmann::json::parse(*text, nullptr, false);
  } catch (const std::exception&) {
    // Unreadable: the index is only a cache.
  }
  if (!index.is_object() || index.value("abi", 0u) != IOCELL_PLUGIN_ABI_VERSION ||
      index.value("toolchain", std::string()) != IOCELL_SDK_TOOLCHAIN_ID || !index["files"].is_object() ||
      !index["dirs"].is_object())
    index = nlohmann::json{{"files", nlohmann::json::object()}, {"dirs", nlohmann::json::object()}};
  nlohmann::json fresh = {{"abi", IOCELL_PLUGIN_ABI_VERSION}, {"toolchain", IOCELL_SDK_TOOLCHAIN_ID},
                          {"files", nlohmann::json::object()}, {"dirs", nlohmann::json::object()}};
  std::set<std::string> names_seen;
  bool copy_to_fresh = true;
  auto remember = [&](const std::filesystem::path& f, const nlohmann::json& cached) {
    if (copy_to_fresh) fresh["files"][f.string()] = cached;
    if (cached.contains("skipped")) {
      m_warnings.push_back({f, cached["skipped"].get<std::string>()});
      return;
    }
    LoadedPlugin info{cached.value("name", std::string()), cached.value("version", std::string()), f, cached.value("os", 0u), {}};
    for (const auto& pr : cached["provides"]) info.provides.emplace_back(pr[0].get<std::string>(), pr[1].get<std::string>());
    if (!names_seen.insert(info.name).second) {
      m_warnings.push_back({f, "plugin " + info.name + " already found earlier in the search path"});
      return;
    }
    m_deferred.push_back({f, std::move(info), cached.value("key", std::string())});
  };
  // The index's entries for one directory, in the order they were found.
  auto take_cached = [&](const std::filesystem::path& dir) {
    std::vector<std::string> here;
    for (const auto& [path, cached] : index["files"].items())
      if (std::filesystem::path(path).parent_path() == dir) here.push_back(path);
    std::sort(here.begin(), here.end());
    for (const auto& path : here) remember(path, index["files"][path]);
  };
  // The usual case: every directory as the index saw it. Its entries are
  // taken as they are, and nothing is rebuilt or compared.
  std::vector<std::string> keys;
  bool current = index.contains("abi");
  std::size_t present = 0;
  for (const auto& dir : dirs) {
    keys.push_back(dir_key(dir));
    if (keys.back().empty()) continue;
    ++present;
    current = current && index["dirs"].value(dir.string(), std::string()) == keys.back();
  }
  if (current && present == index["dirs"].size()) {
    copy_to_fresh = false;
    for (const auto& dir : dirs) take_cached(dir);
    return;
  }
  for (size_t di = 0; di < dirs.size(); ++di) {
    const auto& dir = dirs[di];
    const std::string& dkey = keys[di];
    if (dkey.empty()) continue;
    const std::string dname = dir.string();
    const auto& files = index["files"];
    if (index["dirs"].value(dname, std::string()) == dkey) {
      take_cached(dir);  // unchanged since the index was written
      fresh["dirs"][dname] = dkey;
      continue;
    }
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const auto fname = entry.path().filename().string();
      if (fname.rfind("iocell-", 0) == 0 && entry.path().extension() == ".so") found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    bool complete = true;
    for (const auto& f : found) {
      const std::string key = file_key(f);
      const auto cached = files.value(f.string(), nlohmann::json());
      if (cached.is_object() && cached.value("key", std::string()) == key) {
        remember(f, cached);
        continue;
      }
      const size_t warnings_before = m_warnings.size();
      nlohmann::json entry = {{"key", key}};
      if (load_file(f)) {
        const auto& p = m_plugins.back();
        names_seen.insert(p.name);
        entry["name"] = p.name;
        entry["version"] = p.version;
        entry["os"] = p.os;
        entry["provides"] = nlohmann::json::array();
        for (const auto& [k, n] : p.provides) entry["provides"].push_back({k, n});
      } else if (m_warnings.size() > warnings_before && m_warnings.back().reason.rfind("plugin ", 0) != 0) {
        entry["skipped"] = m_warnings.back().reason;
      } else {
        complete = false;  // a duplicate name: decided again next time
        continue;
      }
      fresh["files"][f.string()] = entry;
    }
    if (complete) fresh["dirs"][dname] = dkey;
  }
  if (fresh != index) {
    std::error_code ec;
    if (std::filesystem::is_directory(index_file.parent_path(), ec)) {
      try {
        write_file_atomic(index_file, fresh.dump() + "\n");
      } catch (const std::exception&) {
        // Not writable (a read-only command by a user): the index is only a cache.
      }
    }
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
#undef IOCELL_ADD

}  // namespace iocell::core
