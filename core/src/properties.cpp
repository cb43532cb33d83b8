#include <iocell/core/properties.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>

#include <iocell/core/errors.hpp>
#include <iocell/core/suggest.hpp>
#include <iocell/core/type_properties.hpp>
#include <iocell/core/value_grammar.hpp>
#include <iocell/support/rctl.hpp>
#include <iocell/support/release_name.hpp>
#include <iocell/sdk/forwarder.hpp>
#include <iocell/sdk/ip6_autoconf.hpp>
#include <iocell/sdk/vnet.hpp>

namespace iocell::core {
namespace {

using T = PropType;
using C = PropCategory;
using L = LiveChange;


bool all_of(const std::string& s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) { return pred(c) != 0; });
}

bool valid_ipv4(const std::string& a) {
  in_addr out{};
  return inet_pton(AF_INET, a.c_str(), &out) == 1;
}
bool valid_ipv6(const std::string& a) {
  in6_addr out{};
  return inet_pton(AF_INET6, a.c_str(), &out) == 1;
}
bool valid_ifname(const std::string& s) { return grammar::ifname(s); }

[[noreturn]] void invalid(const PropertyDef& d, const std::string& value, const std::string& why = "") {
  std::string msg = "invalid value '" + value + "' for property " + std::string(d.name);
  if (!why.empty()) msg += " (" + why + ")";
  msg += ": allowed: " + allowed_values(d);
  throw UsageError(msg);
}

void validate_ip_list(const PropertyDef& d, const std::string& v, bool v6) {
  if (v == "none") return;
  size_t start = 0;
  while (true) {
    size_t comma = v.find(',', start);
    std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) invalid(d, v, "empty element");
    std::string addr = item;
    size_t bar = item.find('|');
    if (bar != std::string::npos) {
      std::string iface = item.substr(0, bar);
      if (iface != "DEFAULT" && !valid_ifname(iface)) invalid(d, v, "bad interface name '" + iface + "'");
      addr = item.substr(bar + 1);
    }
    if (v6 && sdk::ip6_autoconf(addr)) {
      if (comma == std::string::npos) break;
      start = comma + 1;
      continue;
    }
    size_t slash = addr.find('/');
    std::string host = addr.substr(0, slash);
    if (!(v6 ? valid_ipv6(host) : valid_ipv4(host))) invalid(d, v, "bad address '" + host + "'");
    if (slash != std::string::npos) {
      std::string len = addr.substr(slash + 1);
      if (!all_of(len, ::isdigit) || len.size() > 3 || std::stoi(len) > (v6 ? 128 : 32)) invalid(d, v, "bad prefix length '" + len + "'");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

}  // namespace

const std::vector<std::string>& rctl_resources() {
  static const std::vector<std::string> names(rctl_resource_names().begin(), rctl_resource_names().end());
  return names;
}

namespace {

const PropertyDef* find_in_table(const std::string& name) {
  const auto& index = properties_by_name();
  const std::string_view wanted(name);
  auto it = std::lower_bound(index.begin(), index.end(), wanted,
                             [](const PropertyDef* d, std::string_view n) { return d->name < n; });
  return it != index.end() && (*it)->name == wanted ? *it : nullptr;
}

}  // namespace

const PropertyDef* find_property(const std::string& name) {
  if (const PropertyDef* d = find_in_table(name)) return d;
  return find_type_property(name);
}

bool is_on(const std::string& v) { return v == "on" || v == "yes" || v == "1" || v == "true"; }

std::uint64_t parse_size(const std::string& text) {
  const auto parts = grammar::size(text);
  if (!parts) throw UsageError("invalid size '" + text + "': allowed: a number with an optional K, M, G, T or P suffix");
  long double n = std::stold(std::string(parts->number));
  int shift = 0;
  switch (parts->unit) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    case 'P': shift = 50; break;
    default: break;
  }
  long double bytes = n * static_cast<long double>(1ULL << shift);
  if (bytes > 9.2e18L) throw UsageError("size too large: " + text);
  return static_cast<std::uint64_t>(bytes);
}

std::string allowed_values(const PropertyDef& d) {
  switch (d.type) {
    case T::OnOff: return "on or off";
    case T::YesNo: return "yes or no";
    case T::Flag: return "0 or 1";
    case T::Integer: return "an integer from " + std::to_string(d.min) + " to " + std::to_string(d.max);
    case T::Size: return "none or a size such as 512M or 4G";
    case T::Rctl: return "off or AMOUNT:ACTION, such as 4G:deny, 20:log, 100:sigterm (actions: deny, log, devctl, throttle, sigNAME)";
    case T::IpList:
      if (d.name == std::string_view("ip6_addr"))
        return std::string("none or IF|ADDRESS[/PREFIXLEN] items separated by commas, such as em0|2001:db8::10/64 (IF may be DEFAULT); "
                           "in a VNET jail also IF|") + sdk::kAcceptRtadv + " (SLAAC) or IF|" + sdk::kDhcp6 + " (DHCPv6)";
      return "none or IF|ADDRESS[/PREFIXLEN] items separated by commas, such as em0|10.1.1.10/24 (IF may be DEFAULT)";
    case T::Interfaces: return "vnetN:BRIDGE items separated by commas, such as vnet0:bridge0 (N from 0 to 9)";
    case T::Vlans: return sdk::vnet::kVlansHelp;
    case T::Forwards: return sdk::forward::kHelp;
    case T::Tag: return "a name without '/', whitespace or a leading '-', not 'default' or 'ALL', not made only of lowercase hex digits and dashes where a UUID has them (such as 'cafe' or '2024'), at most 128 characters";
    case T::JailList: return "none or jails (tags, UUIDs or UUID prefixes) separated by commas, such as db,cache";
    case T::Text: return "any text on one line";
    case T::Enum: {
      std::string s;
      for (const auto c : d.choices) (s += s.empty() ? "" : ", ") += c;
      return "one of " + s;
    }
    case T::Address: return "none or an IP address";
    case T::CpuSet: return "off or a CPU list such as 1 or 0-3,6";
    case T::Mac: return "none or two 12-digit hex MACs separated by a comma";
    case T::Release: return support::kReleaseNameHelp;
    case T::Hostname: return "a host name of letters, digits, '-', '_' and '.'";
    case T::Resolver: return "none or resolv.conf lines separated by ';', such as 'nameserver 10.0.0.1;search example.org'";
    case T::Path: return "none or an absolute path";
    case T::ReadOnly: return "nothing: the property is read-only";
  }
  return "";
}

const PropertyDef& require_property(const std::string& name) {
  if (const PropertyDef* d = find_property(name)) return *d;
  std::vector<std::string_view> names;
  for (const PropertyDef* d : properties_by_name()) names.push_back(d->name);
  throw UsageError("unknown property '" + name + "'" + did_you_mean(name, names) + " (iocell get all TARGET lists them)");
}

void validate_property(const std::string& name, const std::string& v) {
  // A jail type's own property is checked by the type.
  if (!find_in_table(name) && validate_type_property(name, v)) return;
  const PropertyDef& d = require_property(name);
  if (v.find('\n') != std::string::npos || v.find('\0') != std::string::npos) invalid(d, v, "no line breaks");
  switch (d.type) {
    case T::OnOff:
      if (v != "on" && v != "off") invalid(d, v);
      return;
    case T::YesNo:
      if (v != "yes" && v != "no") invalid(d, v);
      return;
    case T::Flag:
      if (v != "0" && v != "1") invalid(d, v);
      return;
    case T::Integer: {
      std::string digits = (!v.empty() && v[0] == '-') ? v.substr(1) : v;
      if (!all_of(digits, ::isdigit) || digits.size() > 18) invalid(d, v);
      long long n = std::stoll(v);
      if (n < d.min || n > d.max) invalid(d, v, "out of range");
      return;
    }
    case T::Size:
      if (v == "none") return;
      try {
        parse_size(v);
      } catch (const UsageError&) {
        invalid(d, v);
      }
      return;
    case T::Rctl: {
      if (v == "off") return;
      size_t colon = v.find(':');
      if (colon == std::string::npos) invalid(d, v, "missing ':ACTION'");
      std::string amount = v.substr(0, colon), action = v.substr(colon + 1);
      try {
        parse_size(amount);
      } catch (const UsageError&) {
        invalid(d, v, "bad amount '" + amount + "'");
      }
      if (!grammar::rctl_action(action)) {
        std::string signals;
        for (auto sig : support::kRctlSignalActions) signals += (signals.empty() ? "" : ", ") + std::string(sig);
        invalid(d, v, "bad action '" + action + "': rctl(8) takes deny, log, devctl, throttle or a signal (" + signals + ")");
      }
      if (action == "deny" && (name == "cputime" || name == "wallclock" || name == "readbps" || name == "writebps" ||
                               name == "readiops" || name == "writeiops"))
        invalid(d, v, "deny is not available for " + name);
      if (action == "throttle" && !(name == "readbps" || name == "writebps" || name == "readiops" || name == "writeiops"))
        invalid(d, v, "throttle is only for readbps, writebps, readiops and writeiops");
      return;
    }
    case T::IpList:
      validate_ip_list(d, v, name == "ip6_addr");
      return;
    case T::Interfaces: {
      if (!grammar::vnet_interfaces(v)) invalid(d, v);
      return;
    }
    case T::Vlans:
      try {
        sdk::vnet::parse_vlans(v);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      return;
    case T::Forwards:
      try {
        sdk::forward::parse(v);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      return;
    case T::Tag: {
      bool bad = v.empty() || v.size() > 128 || v[0] == '-' || v == "default" || v == "ALL" || v.find('/') != std::string::npos;
      for (unsigned char c : v) bad = bad || std::isspace(c) || std::iscntrl(c);
      if (bad) invalid(d, v);
      // Such a tag and a UUID prefix would name two jails with one word.
      if (grammar::uuid_prefix(v)) invalid(d, v, "it could be the beginning of a jail's UUID");
      return;
    }
    case T::JailList: {
      if (v == "none") return;
      std::set<std::string> seen;
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = v.find(',', start);
        const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        bool bad = item.empty() || item == "none" || item == "ALL" || item == "default";
        for (unsigned char c : item) bad = bad || std::isspace(c) || std::iscntrl(c) || c == '/';
        if (bad) invalid(d, v, item.empty() ? "an empty item" : "'" + item + "' is not a jail name");
        if (!seen.insert(item).second) invalid(d, v, "'" + item + "' is named twice");
        if (comma == std::string::npos) return;
        start = comma + 1;
      }
    }
    case T::Text:
      return;
    case T::Enum:
      if (std::find(d.choices.begin(), d.choices.end(), v) == d.choices.end()) invalid(d, v);
      return;
    case T::Address:
      if (v != "none" && !valid_ipv4(v) && !valid_ipv6(v)) invalid(d, v);
      if (name == "defaultrouter" && v != "none" && !valid_ipv4(v)) invalid(d, v, "not an IPv4 address");
      if (name == "defaultrouter6" && v != "none" && !valid_ipv6(v)) invalid(d, v, "not an IPv6 address");
      return;
    case T::CpuSet: {
      if (v != "off" && !grammar::cpu_list(v)) invalid(d, v);
      return;
    }
    case T::Mac: {
      if (v != "none" && !grammar::mac_pair(v)) invalid(d, v);
      return;
    }
    case T::Release: {
      if (!support::is_release_name(v)) invalid(d, v);
      return;
    }
    case T::Hostname: {
      if (!grammar::hostname(v)) invalid(d, v);
      return;
    }
    case T::Resolver:
      return;
    case T::Path:
      if (v != "none" && (v.empty() || v[0] != '/')) invalid(d, v);
      return;
    case T::ReadOnly:
      throw UsageError("property " + name + " is read-only");
  }
}

void validate_setting(const std::string& name, const std::string& v) {
  validate_property(name, v);
  const PropertyDef& d = require_property(name);
  // An empty text is a command, user or host that is no one: every start,
  // console or fetch would fail on it. Stored configs may hold one (a host
  // without /etc/hostid); only a new setting is held to this.
  if (d.type == T::Text && v.empty())
    invalid(d, v, "empty" + (d.default_value.empty() ? std::string(": none unsets it") : ": the default is '" + std::string(d.default_value) + "'"));
  if (d.type == T::CpuSet && v != "off") {
    // The numbers are CPU indexes of this host, which has hardware_concurrency of them.
    const unsigned cpus = std::thread::hardware_concurrency();
    if (cpus == 0) return;
    std::size_t i = 0;
    while (i < v.size()) {
      const std::size_t end = v.find_first_of(",-", i);
      const std::string n = v.substr(i, end == std::string::npos ? std::string::npos : end - i);
      if (n.size() > 9 || std::stoul(n) >= cpus)
        invalid(d, v, "CPU " + n + " does not exist: this host has CPUs 0 to " + std::to_string(cpus - 1));
      i = end == std::string::npos ? v.size() : end + 1;
    }
  }
}

std::map<std::string, std::string> builtin_defaults(iocell::sdk::HostOs) { return layered_defaults({}, {}); }

// Every command on a jail layers ~150 properties: one pass over the three
// sorted sources makes each entry once, at the end, with no lookups.
std::map<std::string, std::string> layered_defaults(const std::map<std::string, std::string>& system,
                                                    const std::map<std::string, std::string>& own) {
  const auto& table = properties_by_name();
  auto builtin = table.begin();
  const auto skip_without_default = [&] {
    while (builtin != table.end() && ((*builtin)->type == T::ReadOnly || (*builtin)->default_value.empty())) ++builtin;
  };
  skip_without_default();
  auto sys = system.begin();
  auto mine = own.begin();
  std::map<std::string, std::string> out;
  for (;;) {
    const bool b = builtin != table.end(), s = sys != system.end(), o = mine != own.end();
    if (!b && !s && !o) break;
    // The smallest name among the three heads, and the value that wins for it.
    std::string_view key = b ? (*builtin)->name : s ? std::string_view(sys->first) : std::string_view(mine->first);
    if (s && std::string_view(sys->first) < key) key = sys->first;
    if (o && std::string_view(mine->first) < key) key = mine->first;
    const bool in_b = b && (*builtin)->name == key, in_s = s && sys->first == key, in_o = o && mine->first == key;
    const std::string_view value = in_o ? std::string_view(mine->second) : in_s ? std::string_view(sys->second) : (*builtin)->default_value;
    out.emplace_hint(out.end(), std::string(key), std::string(value));
    if (in_b) {
      ++builtin;
      skip_without_default();
    }
    if (in_s) ++sys;
    if (in_o) ++mine;
  }
  return out;
}

}  // namespace iocell::core
