#include <iocell/core/inventory.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <iocell/core/context.hpp>
#include <iocell/core/defaults.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/oci/state.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/core/value_grammar.hpp>
#include <iocell/sdk/random.hpp>

namespace iocell::core {

// By hand, not std::regex: every command checks each jail directory's name,
// and building the regex alone cost more than the whole inventory scan.
bool Inventory::is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string Inventory::new_uuid() {
  unsigned char b[16];
  sdk::random_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

// readdir rather than directory_iterator: every command on a jail lists
// these two directories, and the iterator builds and splits a path for each
// entry before the name can even be looked at.
std::vector<Inventory::Entry> Inventory::entries(std::vector<std::string>* unreadable) {
  std::vector<Entry> out;
  for (const char* dir : {"jails", "templates"}) {
    const std::string base = (m_ctx.root() / dir).string();
    DIR* d = ::opendir(base.c_str());
    if (d == nullptr) {
      // A root not laid out yet has no jails; any other failure hides some.
      if (errno == ENOENT) continue;
      const std::string why = "cannot read " + base + ": " + std::strerror(errno);
      m_ctx.err() << "warning: " << why << "\n";
      if (unreadable) unreadable->push_back(why);
      continue;
    }
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;  // ".", "..", ".new-*" staging datasets are not jails
      out.push_back(Entry{dir, base + "/" + e->d_name, e->d_name});
    }
    ::closedir(d);
  }
  return out;
}

std::optional<JailRecord> Inventory::load(const Entry& e, const std::string& needle, std::vector<std::string>* unreadable) {
  const std::string cfg = e.path + "/config.json";
  PropertyValues props;
  try {
    const auto text = read_file_if_exists(cfg.c_str());
    if (!text) return std::nullopt;
    // Looking for one name: a file that does not contain it is not parsed.
    if (!needle.empty() && text->find(needle) == std::string::npos) return std::nullopt;
    props = parse_config(*text, cfg);
  } catch (const std::exception& ex) {
    m_ctx.err() << "warning: " << ex.what() << "\n";
    if (unreadable) unreadable->push_back(ex.what());
    return std::nullopt;
  }
  if (props.empty()) return std::nullopt;
  // hack88 mounts a jail under the first 8 characters of its UUID.
  const std::string uuid = is_uuid(e.name) ? e.name : props["uuid"];
  if (!is_uuid(uuid) || uuid.compare(0, e.name.size(), e.name) != 0) return std::nullopt;
  props["uuid"] = uuid;
  // Where the jail lives decides whether it is a template (a crash between
  // the config write and the rename of set_template must not lie).
  props["template"] = e.dir == "templates" ? "yes" : "no";
  return JailRecord{uuid, e.dir + "/" + uuid, std::filesystem::path(e.path), std::move(props)};
}

namespace {
NotFound not_found(const std::string& target) { return NotFound("jail '" + target + "' not found (iocell list shows the jails)"); }

// A name JSON stores as is: then a config file that does not contain it
// verbatim cannot hold it. Anything JSON might escape disables the shortcut.
std::string verbatim_needle(const std::string& name) {
  for (unsigned char c : name)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return "";
  return name;
}
}  // namespace

std::vector<JailRecord> Inventory::all() {
  std::vector<JailRecord> out;
  m_unreadable.clear();
  for (const auto& e : entries(&m_unreadable))
    if (auto r = load(e, "", &m_unreadable)) out.push_back(std::move(*r));
  std::sort(out.begin(), out.end(), [](const JailRecord& a, const JailRecord& b) {
    return a.tag() != b.tag() ? a.tag() < b.tag() : a.uuid < b.uuid;
  });
  return out;
}

// Every command resolves its target, so this reads as little as it can: an
// exact UUID reads one file, a tag parses only the files that mention it, a
// UUID prefix goes by directory names. `all()` would parse every config.
// A word that could begin a UUID names the jail whose UUID it begins before
// any jail tagged so (tags like that are refused now, but older jails may
// carry one): a UUID prefix must keep naming the same jail whatever tags
// others are given.
JailRecord Inventory::resolve(const std::string& target) {
  if (target.empty() || target[0] == '-') throw UsageError("invalid jail name '" + target + "'");
  if (target == "ALL" || target == "default") throw UsageError("'" + target + "' names no single jail here");
  const auto list = entries();
  if (!grammar::uuid_prefix(target)) {
    if (auto r = find_tag_in(list, target)) return *r;
    oci::refuse_if_container(target);
    throw not_found(target);
  }
  if (is_uuid(target)) {
    for (const auto& e : list)
      if (e.name == target)
        if (auto r = load(e)) return *r;
  }
  std::vector<JailRecord> prefix;
  for (const auto& e : list) {
    // A full-UUID directory name decides; a hack88 one needs its config.
    if (is_uuid(e.name) && e.name.compare(0, target.size(), target) != 0) continue;
    if (auto r = load(e); r && r->uuid.compare(0, target.size(), target) == 0) prefix.push_back(std::move(*r));
  }
  if (prefix.size() == 1) return prefix.front();
  if (prefix.empty()) {
    if (auto r = find_tag_in(list, target)) return *r;
    oci::refuse_if_container(target);
    throw not_found(target);
  }
  std::sort(prefix.begin(), prefix.end(), [](const JailRecord& a, const JailRecord& b) { return a.uuid < b.uuid; });
  std::string names;
  for (const auto& j : prefix) names += "\n  " + j.uuid + " (" + j.tag() + ")";
  throw UsageError("'" + target + "' matches several jails; give more of the UUID:" + names);
}

std::optional<JailRecord> Inventory::find_tag_in(const std::vector<Entry>& list, const std::string& tag) {
  const std::string needle = verbatim_needle(tag);
  std::optional<JailRecord> found;
  for (const auto& e : list) {
    auto r = load(e, needle);
    if (r && r->tag() == tag && (!found || r->uuid < found->uuid)) found = std::move(r);
  }
  return found;
}

std::vector<JailRecord> Inventory::resolve_many(const std::string& target) {
  if (target != "ALL") return {resolve(target)};
  std::vector<JailRecord> out;
  for (auto& j : all())
    if (!j.is_template()) out.push_back(std::move(j));
  return out;
}

JailRecord Inventory::reload(const JailRecord& rec) {
  JailRecord r = rec;
  r.props = read_config(rec.config_file());
  if (r.props.empty()) throw NotFound("jail " + rec.uuid + " vanished");
  return r;
}

PropertyValues Inventory::effective(const JailRecord& rec) {
  if (!m_defaults) m_defaults = read_defaults(m_ctx);
  PropertyValues v = layered_defaults(*m_defaults, rec.props);
  v["uuid"] = rec.uuid;
  v["host_hostuuid"] = rec.uuid;
  if (v["host_hostname"].empty()) v["host_hostname"] = rec.uuid;
  v["template"] = rec.is_template() ? "yes" : "no";
  return v;
}

sdk::JailSpec Inventory::spec(const JailRecord& rec) {
  sdk::JailSpec s;
  s.uuid = rec.uuid;
  s.name = "ioc-" + rec.uuid;
  s.tag = rec.tag();
  s.dataset = rec.dataset;
  s.home = rec.home;
  s.root = rec.home / "root";
  s.console_log = m_ctx.log_dir() / (rec.uuid + "-console.log");
  s.props = sdk::PropertyMap(effective(rec));
  return s;
}

}  // namespace iocell::core
