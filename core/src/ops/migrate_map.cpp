// Legacy property names and values -> today's property table.
#include <set>

#include <iocell/core/errors.hpp>
#include <iocell/core/ops/migrate.hpp>
#include <iocell/core/properties.hpp>

namespace iocell::core {
namespace {

struct Gone {
  std::string legacy_default;  ///< a value that carried no choice of the user
  std::string reason;
};

// Legacy properties without an iocell equivalent.
const std::map<std::string, Gone>& gone_properties() {
  static const std::string autoip = "automatic IPv4 addresses (AUTOIP4) are not supported; set ip4_addr";
  static const std::string git = "git plugin jails are not supported";
  static const std::string sync = "it was never used by the shell iocell";
  static const std::map<std::string, Gone> m = {
      {"keepbridge", {"off", "iocell never destroys a bridge it did not create, so there is nothing to keep"}},
      {"ip4_autostart", {"none", autoip}},
      {"ip4_autoend", {"none", autoip}},
      {"ip4_autosubnet", {"none", autoip}},
      {"gitlocation", {"https://github.com", git}},
      {"branch", {"none", git}},
      {"sync_stat", {"none", sync}},
      {"sync_target", {"none", sync}},
      {"sync_tgt_zpool", {"none", sync}},
  };
  return m;
}

// What the jail's location and identity already say, and the create-time
// helpers the shell iocell wrote into every config: never worth a word.
const std::set<std::string> kSilent = {"uuid", "host_hostuuid", "pool", "count", "start", "origin", "mountpoint",
                                       "compressratio", "available", "used"};

// Properties that belong to one jail and make no sense as a system default.
bool per_jail(const std::string& k) {
  static const std::set<std::string> names = {"tag", "template", "istemplate", "release", "hostid", "host_hostname", "hostname",
                                              "jail_zfs_dataset", "type", "last_started"};
  return names.count(k) || kSilent.count(k) || (k.size() > 4 && k.compare(k.size() - 4, 4, "_mac") == 0);
}

bool unset(const std::string& v) { return v.empty() || v == "-" || v == "none"; }

// iocage printed "-" for an unset ZFS property and started a jail with
// vnet "-" as a VNET jail (iocell-behaviour.md §4.5).
std::string normalized(const std::string& name, const std::string& v) {
  if (v == "-") return name == "vnet" ? "on" : "none";
  if (v.empty()) return "none";
  return v;
}

std::string map_type(const std::string& raw, LegacyKind kind, const LegacyFacts& f, bool& is_template,
                     std::vector<std::string>& notes) {
  std::string t = raw;
  // The tools' own defaults: basejail for the shell iocell, jail for 1.x.
  if (unset(t)) t = kind == LegacyKind::Iocell ? "basejail" : "jail";
  if (t == "thickjail" || t == "basejail" || t == "emptyjail") return t;
  if (t == "clonejail") {
    if (kind == LegacyKind::Iocell && !f.root_has_system) {
      notes.push_back("type clonejail -> basejail: a clone of a basejail whose system directories come from the release at each start");
      return "basejail";
    }
    return t;
  }
  if (t == "template") {
    // The shell iocell made templates of basejails only (§4.3).
    is_template = true;
    notes.push_back("type template -> basejail with template=yes");
    return "basejail";
  }
  if (t == "jail") {
    const bool clone = !unset(f.origin);
    notes.push_back(clone ? "type jail -> clonejail (a clone of " + f.origin + ")" : "type jail -> thickjail (no origin)");
    return clone ? "clonejail" : "thickjail";
  }
  if (t == "gitjail") {
    notes.push_back("type gitjail -> thickjail: its files stay, git plugin updates do not");
    return "thickjail";
  }
  throw UsageError("unknown jail type '" + raw + "': iocell migrates thickjail, clonejail, basejail, emptyjail, template, jail and gitjail");
}

// Carries one ordinary property over, or says why not.
void carry(MappedProperties& m, const std::string& legacy_name, const std::string& name, const std::string& value) {
  if (auto g = gone_properties().find(legacy_name); g != gone_properties().end()) {
    if (value != g->second.legacy_default && !unset(value)) m.dropped.push_back({legacy_name, value, g->second.reason});
    return;
  }
  const PropertyDef* d = find_property(name);
  if (!d) {
    m.dropped.push_back({legacy_name, value, "not an iocell property"});
    return;
  }
  if (d->type == PropType::ReadOnly) return;
  const std::string v = normalized(name, value);
  try {
    validate_property(name, v);
    m.props[name] = v;
  } catch (const UsageError& e) {
    m.dropped.push_back({legacy_name, value, v == "none" ? "unset; the default applies" : e.what()});
  }
}

}  // namespace

std::string legacy_name(LegacyKind kind) { return kind == LegacyKind::Iocell ? "iocell" : "iocage"; }

MappedProperties map_legacy_jail(const PropertyValues& legacy, LegacyKind kind, const LegacyFacts& facts) {
  MappedProperties m;
  auto get = [&](const std::string& k) { return legacy.count(k) ? legacy.at(k) : std::string(); };

  bool is_template = false;
  m.props["type"] = map_type(get("type"), kind, facts, is_template, m.notes);
  if (legacy.count("istemplate")) {
    const std::string v = get("istemplate");
    if (v == "yes") is_template = true;
    else if (v != "no" && !unset(v)) m.dropped.push_back({"istemplate", v, "allowed: yes or no"});
  }
  // The shell iocell's `template` names the template a jail was made from;
  // today's template=yes|no is the old istemplate.
  if (legacy.count("template")) {
    const std::string v = get("template");
    if ((v == "yes" || v == "no") && !legacy.count("istemplate")) is_template = is_template || v == "yes";
    else if (!unset(v) && v != "yes" && v != "no")
      m.dropped.push_back({"template", v, "names the template the jail was created from, which iocell does not record"});
  }
  m.props["template"] = is_template ? "yes" : "no";

  for (const auto& [k, v] : legacy) {
    if (k == "type" || k == "istemplate" || k == "template" || kSilent.count(k)) continue;
    if (k == "hostname") {  // iocage 1.x kept the host name twice
      if (legacy.count("host_hostname")) {
        if (v != get("host_hostname") && !unset(v))
          m.dropped.push_back({k, v, "host_hostname=" + get("host_hostname") + " is set too and wins"});
        continue;
      }
      carry(m, k, "host_hostname", v);
      continue;
    }
    if (k == "last_started") {
      if (!unset(v)) m.props[k] = v;
      continue;
    }
    carry(m, k, k, v);
  }
  if (legacy.count("host_hostuuid") && get("host_hostuuid") != facts.uuid && !unset(get("host_hostuuid")))
    m.notes.push_back("host_hostuuid " + get("host_hostuuid") + " differed from the UUID; the jail keeps " + facts.uuid);
  if (!m.props.count("release")) m.props["release"] = "none";
  return m;
}

MappedProperties map_legacy_defaults(const PropertyValues& legacy, LegacyKind kind) {
  MappedProperties m;
  const auto builtin = builtin_defaults(sdk::HostOs::FreeBSD);
  for (const auto& [k, v] : legacy) {
    if (per_jail(k)) continue;
    // The shell iocell wrote its built-in values into .default; of those
    // only ftphost and vnet (detected per host) differ from iocell's.
    if (kind == LegacyKind::Iocell && (k == "vnet" || (k == "ftphost" && v == "ftp.freebsd.org"))) continue;
    MappedProperties one;
    carry(one, k, k, v);
    for (auto& d : one.dropped) m.dropped.push_back(std::move(d));
    for (const auto& [name, value] : one.props) {
      auto b = builtin.find(name);
      if (b == builtin.end() || b->second != value) m.props[name] = value;
    }
  }
  return m;
}

}  // namespace iocell::core
