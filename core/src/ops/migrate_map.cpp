// Legacy property names and values -> today's property table.
#include <algorithm>
#include <set>
#include <sstream>

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

// Python iocage's keys that iocell has no property for, with the value
// iocage writes when the admin chose nothing: only other values are reported.
const std::map<std::string, std::string>& python_iocage_only() {
  static const std::map<std::string, std::string> m = {
      {"vnet_default_interface", "auto"}, {"hostid_strict_check", "0"}, {"host_time", "1"},
      {"sync_state", "none"},             {"vnet_interfaces", "none"},  {"rtsold", "0"},
      {"ip_hostname", "0"},               {"assign_localhost", "0"},    {"localhost_ip", "none"},
      {"nat", "0"},                       {"nat_prefix", "172.16"},     {"nat_interface", "none"},
      {"nat_backend", "ipfw"},            {"nat_forwards", "none"},     {"plugin_name", "none"},
      {"plugin_repository", "none"},      {"min_dyn_devfs_ruleset", "1000"}, {"vnet0_mtu", "auto"},
      {"vnet1_mtu", "auto"},              {"vnet2_mtu", "auto"},        {"vnet3_mtu", "auto"},
      {"vnet_default_mtu", "1500"},       {"comment", "none"},          {"clonejail", "0"},
  };
  return m;
}

// What iocage's key means for iocell, when it is more than a rename.
const std::map<std::string, std::string>& python_iocage_hints() {
  static const std::map<std::string, std::string> m = {
      {"nat_forwards", "iocell forwards ports with rdr=PROTO(IF|ADDRESS):PORT->PORT"},
      {"rtsold", "iocell has no rtsold switch; configure IPv6 autoconfiguration inside the jail"},
      {"comment", "kept in notes when notes is unset"},
      {"hostid_strict_check", "iocell always refuses to start a jail of another hostid"},
  };
  return m;
}

// Python iocage wrote its booleans as 0/1, yes/no or on/off depending on the
// key and the CONFIG_VERSION: spelled the way the property table wants.
std::string table_spelling(const std::string& name, const std::string& v) {
  const PropertyDef* d = find_property(name);
  if (!d) return v;
  const bool yes = v == "1" || v == "yes" || v == "on" || v == "true";
  const bool no = v == "0" || v == "no" || v == "off" || v == "false";
  if (!yes && !no) return v;
  switch (d->type) {
    case PropType::OnOff: return yes ? "on" : "off";
    case PropType::YesNo: return yes ? "yes" : "no";
    case PropType::Flag: return yes ? "1" : "0";
    default: return v;
  }
}

}  // namespace

PythonIocageJail map_python_iocage(const PropertyValues& config, bool in_templates) {
  PythonIocageJail out;
  PropertyValues legacy;
  auto get = [&](const std::string& k) { return config.count(k) ? config.at(k) : std::string(); };
  const auto truthy = [](const std::string& v) { return v == "1" || v == "yes" || v == "on" || v == "true"; };
  out.basejail = truthy(get("basejail"));
  const std::string type = get("type");
  std::vector<std::string> notes;
  if (type == "pluginv2" || type == "plugin") notes.push_back("iocage plugin jail: its files come along, iocage's plugin updates do not");
  else if (!unset(type) && type != "jail")
    throw UsageError("unknown iocage jail type '" + type + "': iocell migrates jail, plugin and pluginv2");
  // Every jail arrives as a copy of its files; a basejail keeps taking its
  // system from the release at each start.
  legacy["type"] = out.basejail ? "basejail" : "thickjail";
  legacy["template"] = in_templates || truthy(get("template")) ? "yes" : "no";
  for (const auto& [k, raw] : config) {
    if (k == "type" || k == "template" || k == "basejail" || k == "CONFIG_VERSION" || k == "host_hostuuid" || k == "mac_prefix" ||
        k == "count" || k == "jail_zfs_dataset" || kSilent.count(k))
      continue;
    if (auto only = python_iocage_only().find(k); only != python_iocage_only().end()) {
      if (raw == only->second) continue;
      if (k == "comment" && unset(get("notes"))) {
        legacy["notes"] = raw;
        continue;
      }
      auto hint = python_iocage_hints().find(k);
      out.dropped.push_back({k, raw, hint != python_iocage_hints().end() ? hint->second : "iocage-only: iocell has no such setting"});
      continue;
    }
    if (k == "depends") {
      std::istringstream words(raw);
      for (std::string w; words >> w;)
        if (w != "none") out.depends.push_back(w);
      continue;
    }
    if (k == "resolver" && raw == "/etc/resolv.conf") continue;  // iocell's none copies the host's file too
    if (k == "resolver" && raw == "none") {
      out.dropped.push_back({k, raw, "iocage left the jail's resolv.conf alone; iocell copies the host's unless resolver= says otherwise"});
      continue;
    }
    if ((k == "defaultrouter" || k == "defaultrouter6") && raw == "auto") {
      if (truthy(get("vnet")))
        out.dropped.push_back({k, raw, "auto (the host's default gateway) has no equivalent: set " + k + "=ADDRESS"});
      continue;
    }
    std::string v = table_spelling(k, raw);
    // iocage separated the two MACs of a pair with a blank.
    if (k.size() > 4 && k.compare(k.size() - 4, 4, "_mac") == 0) std::replace(v.begin(), v.end(), ' ', ',');
    legacy[k] = v;
  }
  out.mapped = map_legacy_jail(legacy, LegacyKind::Iocage, LegacyFacts{"", "", true});
  for (auto& n : notes) out.mapped.notes.push_back(std::move(n));
  for (auto& d : out.dropped) out.mapped.dropped.push_back(d);
  out.dropped.clear();
  return out;
}

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
