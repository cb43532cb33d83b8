// Bastille's jail.conf (jail.conf(5): one `NAME { param = value; ... }`
// block) -> iocell properties. The parameters are jail(8)'s, so most are a
// rename: host.hostname -> host_hostname, allow.mount.nullfs ->
// allow_mount_nullfs, exec.start -> exec_start.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <iocell/core/errors.hpp>
#include <iocell/core/ops/migrate.hpp>
#include <iocell/core/properties.hpp>

namespace iocell::core {
namespace {

struct Param {
  std::string key;
  std::vector<std::string> values;  ///< += appends; a bare `key;` has none
};

// Words and quoted strings of jail.conf(5), with its separators as words of
// their own: { } ; = +=.
std::vector<std::string> tokens(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '{' || c == '}' || c == ';' || c == '=') {
      out.emplace_back(1, c);
      ++i;
    } else if (c == '+' && i + 1 < text.size() && text[i + 1] == '=') {
      out.emplace_back("+=");
      i += 2;
    } else if (c == '"' || c == '\'') {
      const std::size_t end = text.find(c, i + 1);
      if (end == std::string::npos) throw UsageError("jail.conf: a " + std::string(1, c) + " string is not closed");
      out.push_back("\x01" + text.substr(i + 1, end - i - 1));  // quoted: never a separator
      i = end + 1;
    } else {
      std::size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && std::string("{};=\"'").find(text[end]) == std::string::npos &&
             !(text[end] == '+' && end + 1 < text.size() && text[end + 1] == '='))
        ++end;
      out.push_back(text.substr(i, end - i));
      i = end;
    }
  }
  return out;
}

std::string unquoted(const std::string& t) { return !t.empty() && t[0] == '\x01' ? t.substr(1) : t; }

std::vector<Param> parse_block(const std::string& text, std::string& name) {
  const auto t = tokens(text);
  if (t.size() < 3 || t[1] != "{") throw UsageError("jail.conf: expected one block NAME { ... }");
  name = unquoted(t[0]);
  std::vector<Param> out;
  std::size_t i = 2;
  while (i < t.size() && t[i] != "}") {
    Param p{unquoted(t[i]), {}};
    ++i;
    if (i < t.size() && (t[i] == "=" || t[i] == "+=")) {
      ++i;
      while (i < t.size() && t[i] != ";") p.values.push_back(unquoted(t[i++]));
    }
    if (i >= t.size() || t[i] != ";") throw UsageError("jail.conf: parameter " + p.key + " does not end with ';'");
    ++i;
    auto same = std::find_if(out.begin(), out.end(), [&](const Param& q) { return q.key == p.key; });
    if (same != out.end()) same->values.insert(same->values.end(), p.values.begin(), p.values.end());
    else out.push_back(std::move(p));
  }
  if (i >= t.size()) throw UsageError("jail.conf: the block of " + name + " is not closed");
  return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

MappedProperties map_bastille_jail_conf(const std::string& text, std::string& name) {
  MappedProperties m;
  const auto params = parse_block(text, name);
  std::string interface;
  for (const auto& p : params)
    if (p.key == "interface" && !p.values.empty()) interface = p.values.front();
  // Bastille's own bookkeeping, which iocell does itself.
  static const std::set<std::string> own = {"path", "mount.fstab", "exec.consolelog", "mount.devfs", "persist", "interface", "name"};
  auto put = [&m](const std::string& from, const std::string& prop, const std::string& value) {
    try {
      validate_property(prop, value);
      m.props[prop] = value;
    } catch (const UsageError& e) {
      m.dropped.push_back({from, value, e.what()});
    }
  };
  for (const auto& p : params) {
    const std::string value = join(p.values, ",");
    if (own.count(p.key)) continue;
    if (p.key == "ip4.addr" || p.key == "ip6.addr") {
      std::vector<std::string> items;
      for (const auto& a : p.values)
        for (std::size_t s = 0, e; s <= a.size(); s = e + 1) {
          e = a.find(',', s);
          if (e == std::string::npos) e = a.size();
          const std::string one = a.substr(s, e - s);
          if (!one.empty()) items.push_back(one.find('|') == std::string::npos && !interface.empty() ? interface + "|" + one : one);
        }
      put(p.key, p.key == "ip4.addr" ? "ip4_addr" : "ip6_addr", join(items, ","));
      continue;
    }
    if (p.key == "vnet" || p.key == "vnet.interface") {
      m.props["vnet"] = "on";
      if (p.key == "vnet.interface")
        m.dropped.push_back({p.key, value, "Bastille's epair; iocell makes its own for vnet0 on the bridge in interfaces (default bridge0)"});
      continue;
    }
    if (p.key == "osrelease") {
      put(p.key, "release", value);
      continue;
    }
    if (p.key == "exec.clean" || p.key == "exec.system_jail_user") {
      put(p.key, p.key == "exec.clean" ? "exec_clean" : "exec_system_jail_user", p.values.empty() ? "1" : value);
      continue;
    }
    std::string prop = p.key;
    std::replace(prop.begin(), prop.end(), '.', '_');
    if (prop == "host_hostuuid") continue;
    const PropertyDef* d = find_property(prop);
    if (!d || d->category != PropCategory::Jail) {
      m.dropped.push_back({p.key, value, "a jail(8) parameter iocell does not manage"});
      continue;
    }
    // A bare boolean parameter (`allow.raw_sockets;`) means on.
    std::string v = p.values.empty() ? "1" : value;
    if (d->type == PropType::Flag && (v == "true" || v == "yes")) v = "1";
    if (d->type == PropType::Flag && (v == "false" || v == "no")) v = "0";
    put(p.key, prop, v);
  }
  return m;
}

}  // namespace iocell::core
