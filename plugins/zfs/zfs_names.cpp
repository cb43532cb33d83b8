#include "zfs_names.hpp"

#include <regex>
#include <set>
#include <stdexcept>

namespace iocell::plugins::zfs {
namespace {

// ZFS_MAX_DATASET_NAME_LEN is 256 including the terminating NUL.
constexpr size_t kMaxName = 255;

bool component_ok(const std::string& c) {
  if (c.empty() || c == "." || c == ".." || c[0] == '-') return false;
  for (char ch : c) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                    ch == '.' || ch == ':' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

const std::set<std::string>& settable() {
  static const std::set<std::string> s = {"compression", "dedup",    "jailed",     "mountpoint",
                                          "quota",       "readonly", "reservation"};
  return s;
}

const std::set<std::string>& readonly_props() {
  static const std::set<std::string> s = {"available", "canmount", "compressratio", "creation", "mounted",
                                          "origin",    "referenced",    "used"};
  return s;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& p : s) out += (out.empty() ? "" : ", ") + p;
  return out;
}

[[noreturn]] void bad_value(const std::string& prop, const std::string& value, const std::string& allowed) {
  throw std::invalid_argument("invalid value '" + value + "' for ZFS property " + prop + ": allowed: " + allowed);
}

}  // namespace

void check_dataset(const std::string& rel) {
  if (rel.empty()) throw std::invalid_argument("empty dataset name");
  if (rel.size() > kMaxName) throw std::invalid_argument("dataset name too long (" + std::to_string(rel.size()) + " characters): " + rel);
  size_t start = 0;
  while (true) {
    const size_t slash = rel.find('/', start);
    const std::string c = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!component_ok(c))
      throw std::invalid_argument("invalid dataset name '" + rel +
                                  "': each '/'-separated part must be letters, digits, '_', '.', ':' or '-', "
                                  "not empty, '.', '..' or starting with '-'");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

void check_snapshot(const std::string& snap) {
  if (!component_ok(snap) || snap.size() > kMaxName)
    throw std::invalid_argument("invalid snapshot name '" + snap +
                                "': allowed: letters, digits, '_', '.', ':' and '-', not starting with '-'");
}

void check_pool(const std::string& pool) {
  const bool starts_with_letter = !pool.empty() && ((pool[0] >= 'a' && pool[0] <= 'z') || (pool[0] >= 'A' && pool[0] <= 'Z'));
  if (!starts_with_letter || !component_ok(pool) || pool.size() > kMaxName)
    throw std::invalid_argument("invalid pool name '" + pool +
                                "': a pool name starts with a letter and has only letters, digits, '_', '.', ':' and '-'");
}

bool settable_property(const std::string& prop) { return settable().count(prop) != 0; }
bool readable_property(const std::string& prop) { return settable().count(prop) != 0 || readonly_props().count(prop) != 0; }
std::string settable_list() { return join(settable()); }
std::string readable_list() {
  std::set<std::string> all = settable();
  all.insert(readonly_props().begin(), readonly_props().end());
  return join(all);
}

void check_value(const std::string& prop, const std::string& value) {
  if (!settable_property(prop))
    throw std::invalid_argument("the zfs storage does not set property '" + prop + "' (it sets: " + settable_list() + ")");
  if (prop == "quota" || prop == "reservation") {
    static const std::regex size("^(none|[0-9]+(\\.[0-9]+)?[KMGTPEkmgtpe]?[Bb]?)$");
    if (!std::regex_match(value, size)) bad_value(prop, value, "none or a size such as 4G, 512M, 1073741824");
  } else if (prop == "readonly" || prop == "jailed") {
    if (value != "on" && value != "off") bad_value(prop, value, "on, off");
  } else if (prop == "compression") {
    static const std::regex comp("^(on|off|lz4|lzjb|zle|gzip(-[1-9])?|zstd(-[0-9]{1,2})?|zstd-fast(-[0-9]{1,4})?)$");
    if (!std::regex_match(value, comp)) bad_value(prop, value, "on, off, lz4, lzjb, zle, gzip[-1..9], zstd[-N], zstd-fast[-N]");
  } else if (prop == "dedup") {
    static const std::regex dedup("^(on|off|verify|(sha256|sha512|skein|edonr|blake3)(,verify)?)$");
    if (!std::regex_match(value, dedup)) bad_value(prop, value, "on, off, verify, sha256, sha512, skein, edonr, blake3 (optionally ,verify)");
  } else if (prop == "mountpoint") {
    if (value == "none" || value == "legacy") return;
    bool ok = value.size() > 1 && value[0] == '/' && value.size() < 1024 && value.back() != '/';
    for (char c : value) ok = ok && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
    for (const auto& part : std::filesystem::path(value)) ok = ok && part != "..";
    if (!ok) bad_value(prop, value, "none, legacy or an absolute path without '..', control characters or a trailing '/'");
  }
}

std::map<std::string, std::string> checked_options(const sdk::DatasetOptions& opts) {
  std::map<std::string, std::string> props;
  for (const auto& [k, v] : opts.properties) {
    check_value(k, v);
    props[k] = v;
  }
  if (opts.readonly) {
    if (props.count("readonly") && props["readonly"] != "on")
      throw std::invalid_argument("conflicting options: read-only and readonly=" + props["readonly"]);
    props["readonly"] = "on";
  }
  return props;
}

Layout::Layout(std::string pool, std::filesystem::path root)
    : m_pool(std::move(pool)), m_top(m_pool + "/iocell"), m_root(std::move(root)) {}

std::string Layout::full(const std::string& rel) const {
  check_dataset(rel);
  std::string name = m_top + "/" + rel;
  if (name.size() > kMaxName) throw std::invalid_argument("dataset name too long for ZFS (" + std::to_string(name.size()) + " characters): " + name);
  return name;
}

std::string Layout::full_snapshot(const std::string& rel, const std::string& snap) const {
  check_snapshot(snap);
  std::string name = full(rel) + "@" + snap;
  if (name.size() > kMaxName) throw std::invalid_argument("snapshot name too long for ZFS: " + name);
  return name;
}

std::optional<std::string> Layout::relative(const std::string& full_name) const {
  if (full_name == m_top) return std::string();
  if (full_name.size() > m_top.size() && full_name.compare(0, m_top.size(), m_top) == 0) {
    const char sep = full_name[m_top.size()];
    if (sep == '/') return full_name.substr(m_top.size() + 1);
    if (sep == '@') return full_name.substr(m_top.size());
  }
  return std::nullopt;
}

bool Layout::within(const std::string& full_name, const std::string& full_ds) {
  return full_name == full_ds ||
         (full_name.size() > full_ds.size() && full_name.compare(0, full_ds.size(), full_ds) == 0 && full_name[full_ds.size()] == '/');
}

}  // namespace iocell::plugins::zfs
