#include <iocell/core/properties.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include <iocell/core/errors.hpp>
#include <iocell/core/value_grammar.hpp>

namespace iocell::core {
namespace {

using T = PropType;
using C = PropCategory;
using L = LiveChange;

PropertyDef def(std::string_view name, T type, std::string_view dflt, C cat, L live, std::string_view help) {
  return PropertyDef{name, type, dflt, cat, live, help, 0, 0, {}};
}
PropertyDef integer(std::string_view name, std::string_view dflt, std::int64_t min, std::int64_t max, C cat, L live,
                    std::string_view help) {
  PropertyDef d = def(name, T::Integer, dflt, cat, live, help);
  d.min = min;
  d.max = max;
  return d;
}
PropertyDef choice(std::string_view name, std::string_view dflt, std::vector<std::string> choices, C cat, L live,
                   std::string_view help) {
  PropertyDef d = def(name, T::Enum, dflt, cat, live, help);
  d.choices = std::move(choices);
  return d;
}

std::vector<PropertyDef> make_table() {
  std::vector<PropertyDef> t = {
      // Identity and bookkeeping (iocell-only).
      def("uuid", T::ReadOnly, "", C::Iocell, L::Refused, "the jail's UUID (also host.hostuuid)"),
      def("tag", T::Tag, "", C::Iocell, L::Now, "a unique name for the jail; defaults to the creation date and time"),
      def("type", T::ReadOnly, "", C::Iocell, L::Refused, "thickjail, clonejail, basejail or emptyjail"),
      def("template", T::YesNo, "no", C::Iocell, L::Refused, "yes turns a stopped jail into a template"),
      def("release", T::Release, "", C::Iocell, L::Restart, "the FreeBSD release the jail runs"),
      def("boot", T::OnOff, "off", C::Iocell, L::Now, "start the jail at host boot (rcboot)"),
      integer("priority", "99", 0, 99, C::Iocell, L::Now, "boot order: lower starts first, stops last"),
      def("notes", T::Text, "none", C::Iocell, L::Now, "free text"),
      def("owner", T::Text, "root", C::Iocell, L::Now, "who the jail belongs to"),
      def("last_started", T::ReadOnly, "none", C::Iocell, L::Now, "when the jail last started"),
      def("hostid", T::Text, "", C::Iocell, L::Restart, "the host the jail belongs to (/etc/hostid); start refuses others"),
      def("pkglist", T::Path, "none", C::Iocell, L::Now, "a file of package names installed at creation"),
      def("hack88", T::Flag, "0", C::Iocell, L::Refused, "mount the jail under a short path (88-character mount limit)"),
      def("login_flags", T::Text, "-f root", C::Iocell, L::Now, "arguments of login(1) for console"),
      // jail(8) parameters.
      def("host_hostuuid", T::ReadOnly, "", C::Jail, L::Refused, "host.hostuuid (the UUID)"),
      def("host_hostname", T::Hostname, "", C::Jail, L::Restart, "host.hostname, also written into rc.conf"),
      def("host_domainname", T::Text, "none", C::Jail, L::Restart, "host.domainname"),
      choice("ip4", "new", {"new", "inherit", "disable"}, C::Jail, L::Restart, "ip4 (shared IP only)"),
      def("ip4_addr", T::IpList, "none", C::Network, L::Restart, "IPv4 addresses: IF|ADDR/LEN[,...], DEFAULT|ADDR, none"),
      def("ip4_saddrsel", T::Flag, "1", C::Jail, L::Restart, "ip4.saddrsel"),
      choice("ip6", "new", {"new", "inherit", "disable"}, C::Jail, L::Restart, "ip6 (shared IP only)"),
      def("ip6_addr", T::IpList, "none", C::Network, L::Restart, "IPv6 addresses: IF|ADDR/LEN[,...], none"),
      def("ip6_saddrsel", T::Flag, "1", C::Jail, L::Restart, "ip6.saddrsel"),
      integer("exec_fib", "0", 0, 65535, C::Jail, L::Restart, "routing table (setfib) of the jail's commands"),
      integer("devfs_ruleset", "4", 0, 65535, C::Jail, L::Restart, "devfs ruleset of the jail's /dev (0 needs -f)"),
      def("mount_devfs", T::Flag, "1", C::Jail, L::Restart, "mount devfs on /dev"),
      def("mount_fdescfs", T::Flag, "1", C::Jail, L::Restart, "mount fdescfs on /dev/fd"),
      def("mount_procfs", T::Flag, "0", C::Jail, L::Restart, "mount procfs on /proc"),
      def("mount_linprocfs", T::Flag, "0", C::Jail, L::Restart, "mount linprocfs on /compat/linux/proc"),
      def("mount_linsysfs", T::Flag, "0", C::Jail, L::Restart, "mount linsysfs on /compat/linux/sys"),
      def("exec_prestart", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command before start"),
      def("exec_start", T::Text, "/bin/sh /etc/rc", C::Jail, L::Now, "command run inside at start"),
      def("exec_poststart", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command after start"),
      def("exec_prestop", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command before stop"),
      def("exec_stop", T::Text, "/bin/sh /etc/rc.shutdown", C::Jail, L::Now, "command run inside at stop"),
      def("exec_poststop", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command after stop"),
      def("exec_clean", T::Flag, "1", C::Jail, L::Now, "run in-jail commands with a clean environment"),
      integer("exec_timeout", "60", 0, 86400, C::Jail, L::Now, "seconds an exec_* command may run"),
      integer("stop_timeout", "30", 0, 86400, C::Jail, L::Now, "seconds between SIGTERM and SIGKILL at stop"),
      def("exec_jail_user", T::Text, "root", C::Jail, L::Now, "user of in-jail commands"),
      def("exec_system_jail_user", T::Flag, "0", C::Jail, L::Now, "look exec_jail_user up in the host's passwd"),
      def("exec_system_user", T::Text, "root", C::Jail, L::Now, "user of host commands"),
      integer("enforce_statfs", "2", 0, 2, C::Jail, L::Restart, "which mounts the jail sees"),
      integer("children_max", "0", 0, 65535, C::Jail, L::Restart, "children.max"),
      integer("securelevel", "2", -1, 3, C::Jail, L::Restart, "securelevel"),
      choice("sysvmsg", "new", {"new", "inherit", "disable"}, C::Jail, L::Restart, "System V message queues"),
      choice("sysvsem", "new", {"new", "inherit", "disable"}, C::Jail, L::Restart, "System V semaphores"),
      choice("sysvshm", "new", {"new", "inherit", "disable"}, C::Jail, L::Restart, "System V shared memory"),
      def("allow_set_hostname", T::Flag, "1", C::Jail, L::Now, "allow.set_hostname"),
      def("allow_sysvipc", T::Flag, "0", C::Jail, L::Now, "allow.sysvipc (deprecated: use sysv*)"),
      def("allow_raw_sockets", T::Flag, "0", C::Jail, L::Now, "allow.raw_sockets (ping, traceroute)"),
      def("allow_chflags", T::Flag, "0", C::Jail, L::Now, "allow.chflags"),
      def("allow_mlock", T::Flag, "0", C::Jail, L::Now, "allow.mlock"),
      def("allow_mount", T::Flag, "0", C::Jail, L::Now, "allow.mount"),
      def("allow_mount_devfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.devfs"),
      def("allow_mount_fdescfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.fdescfs"),
      def("allow_mount_fusefs", T::Flag, "0", C::Jail, L::Now, "allow.mount.fusefs"),
      def("allow_mount_nullfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.nullfs (lets jailed root escape: CVE-2025-15547)"),
      def("allow_mount_procfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.procfs"),
      def("allow_mount_linprocfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.linprocfs"),
      def("allow_mount_linsysfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.linsysfs"),
      def("allow_mount_tmpfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.tmpfs"),
      def("allow_mount_zfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.zfs"),
      def("allow_quotas", T::Flag, "0", C::Jail, L::Now, "allow.quotas"),
      def("allow_socket_af", T::Flag, "0", C::Jail, L::Now, "allow.socket_af"),
      // Networking (iocell-only).
      def("vnet", T::OnOff, "off", C::Network, L::Restart, "a virtual network stack of its own"),
      def("interfaces", T::Interfaces, "vnet0:bridge0,vnet1:bridge1", C::Network, L::Restart, "VNET interfaces: vnetN:BRIDGE[,...]"),
      def("defaultrouter", T::Address, "none", C::Network, L::Restart, "IPv4 default route inside a VNET jail"),
      def("defaultrouter6", T::Address, "none", C::Network, L::Restart, "IPv6 default route inside a VNET jail"),
      def("resolver", T::Resolver, "none", C::Network, L::Restart, "resolv.conf lines separated by ';', none copies the host's"),
      def("dhcp", T::OnOff, "off", C::Network, L::Restart, "DHCP on vnet0 (VNET jails; implies bpf)"),
      def("bpf", T::OnOff, "off", C::Network, L::Restart, "expose bpf devices (VNET jails only)"),
      def("createbridge", T::OnOff, "on", C::Network, L::Restart, "create missing bridges named in interfaces"),
      // ZFS datasets inside the jail.
      def("jail_zfs", T::OnOff, "off", C::Storage, L::Restart, "delegate ZFS datasets to the jail"),
      def("jail_zfs_dataset", T::Text, "", C::Storage, L::Refused, "datasets delegated to the jail"),
      def("jail_zfs_mountpoint", T::Path, "none", C::Storage, L::Refused, "mountpoint of the delegated dataset"),
      // Resource limits.
      def("rlimits", T::OnOff, "off", C::Rctl, L::Now, "apply the rctl limits below at start"),
      def("cpuset", T::CpuSet, "off", C::Rctl, L::Now, "CPUs the jail may run on: off or a list such as 0-3,5"),
      // Native storage properties.
      choice("compression", "lz4", {"on", "off", "lz4", "lzjb", "gzip", "gzip-1", "gzip-2", "gzip-3", "gzip-4", "gzip-5", "gzip-6", "gzip-7", "gzip-8", "gzip-9", "zle", "zstd"},
             C::Storage, L::Now, "compression of the jail's datasets"),
      def("quota", T::Size, "none", C::Storage, L::Now, "space limit of the jail"),
      def("reservation", T::Size, "none", C::Storage, L::Now, "space guaranteed to the jail"),
      choice("dedup", "off", {"on", "off", "verify", "sha256", "sha512", "skein", "edonr", "blake3"}, C::Storage, L::Now, "deduplication"),
      def("origin", T::ReadOnly, "-", C::Storage, L::Refused, "snapshot the jail was cloned from"),
      def("mountpoint", T::ReadOnly, "-", C::Storage, L::Refused, "where the jail's dataset is mounted"),
      def("compressratio", T::ReadOnly, "-", C::Storage, L::Refused, "achieved compression ratio"),
      def("available", T::ReadOnly, "-", C::Storage, L::Refused, "space available"),
      def("used", T::ReadOnly, "-", C::Storage, L::Refused, "space used"),
      // Fetch settings (also kept in jail configs, as the shell version does).
      def("ftphost", T::Text, "download.freebsd.org", C::Fetch, L::Now, "release mirror: a host name or a URL"),
      def("ftpdir", T::Text, "none", C::Fetch, L::Now, "directory on the mirror"),
      def("ftpfiles", T::Text, "base.txz lib32.txz src.txz", C::Fetch, L::Now, "distribution sets to fetch"),
      def("ftplocaldir", T::Path, "none", C::Fetch, L::Now, "take the sets from a local directory"),
  };
  // Literals: the table holds views (rctl_resources() is static too).
  static constexpr std::string_view kMacs[][2] = {
      {"vnet0_mac", "MAC pair (host side, jail side) of vnet0"}, {"vnet1_mac", "MAC pair (host side, jail side) of vnet1"},
      {"vnet2_mac", "MAC pair (host side, jail side) of vnet2"}, {"vnet3_mac", "MAC pair (host side, jail side) of vnet3"},
      {"vnet4_mac", "MAC pair (host side, jail side) of vnet4"}, {"vnet5_mac", "MAC pair (host side, jail side) of vnet5"},
      {"vnet6_mac", "MAC pair (host side, jail side) of vnet6"}, {"vnet7_mac", "MAC pair (host side, jail side) of vnet7"},
      {"vnet8_mac", "MAC pair (host side, jail side) of vnet8"}, {"vnet9_mac", "MAC pair (host side, jail side) of vnet9"}};
  for (const auto& [mac, help] : kMacs) t.push_back(def(mac, T::Mac, "none", C::Network, L::Restart, help));
  for (const auto& r : rctl_resources()) {
    t.push_back(def(r, T::Rctl, r == "memoryuse" ? "8G:log" : "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"));
  }
  return t;
}

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
  static const std::vector<std::string> names = {
      "cputime", "datasize", "stacksize", "coredumpsize", "memoryuse", "memorylocked", "maxproc", "openfiles",
      "vmemoryuse", "pseudoterminals", "swapuse", "nthr", "msgqqueued", "msgqsize", "nmsgq", "nsem", "nsemop",
      "nshm", "shmsize", "wallclock", "pcpu", "readbps", "writebps", "readiops", "writeiops"};
  return names;
}

const std::vector<PropertyDef>& property_table() {
  static const std::vector<PropertyDef> table = make_table();
  return table;
}

// A sorted array: one allocation, where a map made one node per property.
const std::vector<const PropertyDef*>& properties_by_name() {
  static const std::vector<const PropertyDef*> index = [] {
    std::vector<const PropertyDef*> v;
    for (const auto& d : property_table()) v.push_back(&d);
    std::sort(v.begin(), v.end(), [](const PropertyDef* a, const PropertyDef* b) { return a->name < b->name; });
    return v;
  }();
  return index;
}

const PropertyDef* find_property(const std::string& name) {
  const auto& index = properties_by_name();
  const std::string_view wanted(name);
  auto it = std::lower_bound(index.begin(), index.end(), wanted,
                             [](const PropertyDef* d, std::string_view n) { return d->name < n; });
  return it != index.end() && (*it)->name == wanted ? *it : nullptr;
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
    case T::IpList: return "none or IF|ADDRESS[/PREFIXLEN] items separated by commas, such as em0|10.1.1.10/24 (IF may be DEFAULT)";
    case T::Interfaces: return "vnetN:BRIDGE items separated by commas, such as vnet0:bridge0 (N from 0 to 9)";
    case T::Tag: return "a name without '/', whitespace or a leading '-', not 'default' or 'ALL', at most 128 characters";
    case T::Text: return "any text on one line";
    case T::Enum: {
      std::string s;
      for (const auto& c : d.choices) s += (s.empty() ? "" : ", ") + c;
      return "one of " + s;
    }
    case T::Address: return "none or an IP address";
    case T::CpuSet: return "off or a CPU list such as 1 or 0-3,6";
    case T::Mac: return "none or two 12-digit hex MACs separated by a comma";
    case T::Release: return "a release name such as 14.3-RELEASE";
    case T::Hostname: return "a host name of letters, digits, '-', '_' and '.'";
    case T::Resolver: return "none or resolv.conf lines separated by ';', such as 'nameserver 10.0.0.1;search example.org'";
    case T::Path: return "none or an absolute path";
    case T::ReadOnly: return "nothing: the property is read-only";
  }
  return "";
}

void validate_property(const std::string& name, const std::string& v) {
  const PropertyDef* dp = find_property(name);
  if (!dp) throw UsageError("unknown property '" + name + "' (iocell get all TARGET lists them)");
  const PropertyDef& d = *dp;
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
      if (!grammar::rctl_action(action)) invalid(d, v, "bad action '" + action + "'");
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
    case T::Tag: {
      bool bad = v.empty() || v.size() > 128 || v[0] == '-' || v == "default" || v == "ALL" || v.find('/') != std::string::npos;
      for (unsigned char c : v) bad = bad || std::isspace(c) || std::iscntrl(c);
      if (bad) invalid(d, v);
      return;
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
      if (!grammar::release(v)) invalid(d, v);
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

std::map<std::string, std::string> builtin_defaults(iocell::sdk::HostOs) {
  std::map<std::string, std::string> out;
  for (const auto& d : property_table()) {
    if (d.type == T::ReadOnly || d.default_value.empty()) continue;
    out.emplace(d.name, d.default_value);
  }
  return out;
}

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
