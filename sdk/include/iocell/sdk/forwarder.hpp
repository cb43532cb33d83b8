// Port forwarding: host ports redirected to a jail (the `rdr` property).
// The grammar is defined here once: the core checks values with it at `set`
// and `create`, and the forwarder plugins (pf on FreeBSD, nftables on
// Linux) read the same entries to build their rules.
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>

#include <iocell/sdk/export.hpp>

#include <cctype>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

namespace forward {

/// One entry of rdr: PROTO(IF|ADDRESS):PORT->PORT.
struct Entry {
  std::string text;     ///< the entry as written
  std::string proto;    ///< "tcp" or "udp"
  std::string ifname;   ///< the host interface the traffic arrives on
  std::string address;  ///< the host address it is sent to, as written
  bool ipv6 = false;
  /// ADDRESS was 0.0.0.0 or ::, the admin's explicit wildcard: every
  /// destination address arriving on `ifname` in that family.
  bool any_address = false;
  int host_port = 0;
  int jail_port = 0;
};

inline constexpr const char* kHelp =
    "none or PROTO(IF|ADDRESS):PORT->PORT items separated by commas, such as tcp(em0|203.0.113.5):80->80; "
    "PROTO tcp or udp, ADDRESS an IPv4 or IPv6 address of the host (0.0.0.0 or :: for every address "
    "arriving on IF), PORT from 1 to 65535";

namespace detail {
inline int port(const std::string& s) {
  if (s.empty() || s.size() > 5) return 0;
  for (unsigned char c : s)
    if (!std::isdigit(c)) return 0;
  const int n = std::stoi(s);
  return n >= 1 && n <= 65535 ? n : 0;
}
inline bool ifname(const std::string& s) {
  if (s.empty() || s.size() > 15 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}
}  // namespace detail

/// Parses the value of rdr ("none" and "" give no entry). Throws
/// std::invalid_argument naming the first bad entry and what is allowed,
/// or the entry that forwards a host address and port already forwarded.
inline std::vector<Entry> parse(const std::string& value) {
  std::vector<Entry> out;
  if (value.empty() || value == "none") return out;
  // Split by hand: getline would drop an empty last item ("a,").
  std::vector<std::string> items(1);
  for (char c : value) {
    if (c == ',') items.emplace_back();
    else items.back() += c;
  }
  for (const std::string& item : items) {
    auto bad = [&](const std::string& why) {
      return std::invalid_argument("invalid forward '" + item + "' in rdr='" + value + "': " + why + "; allowed: " + kHelp);
    };
    Entry e;
    e.text = item;
    const size_t open = item.find('('), bar = item.find('|'), close = item.find(')');
    if (open == std::string::npos || bar == std::string::npos || close == std::string::npos || !(open < bar && bar < close))
      throw bad("not PROTO(IF|ADDRESS):PORT->PORT");
    e.proto = item.substr(0, open);
    if (e.proto != "tcp" && e.proto != "udp") throw bad("protocol '" + e.proto + "' is not tcp or udp");
    e.ifname = item.substr(open + 1, bar - open - 1);
    if (!detail::ifname(e.ifname)) throw bad("'" + e.ifname + "' is not an interface name");
    e.address = item.substr(bar + 1, close - bar - 1);
    unsigned char buf[16];
    if (::inet_pton(AF_INET, e.address.c_str(), buf) == 1) e.ipv6 = false;
    else if (::inet_pton(AF_INET6, e.address.c_str(), buf) == 1) e.ipv6 = true;
    else throw bad("'" + e.address + "' is not an IPv4 or IPv6 address");
    e.any_address = e.address == "0.0.0.0" || e.address == "::";
    const std::string ports = item.substr(close + 1);
    const size_t arrow = ports.find("->");
    if (ports.empty() || ports[0] != ':' || arrow == std::string::npos) throw bad("no :PORT->PORT after the address");
    e.host_port = detail::port(ports.substr(1, arrow - 1));
    e.jail_port = detail::port(ports.substr(arrow + 2));
    if (e.host_port == 0 || e.jail_port == 0) throw bad("a port is not a number from 1 to 65535");
    for (const auto& seen : out) {
      // Two entries for one host address and port: only the first would ever match.
      if (seen.proto == e.proto && seen.ifname == e.ifname && seen.address == e.address && seen.host_port == e.host_port)
        throw std::invalid_argument("invalid forward '" + item + "' in rdr='" + value + "': '" + seen.text +
                                    "' already forwards that port");
    }
    out.push_back(std::move(e));
  }
  return out;
}

/// The jail's first static address of a family, from ip4_addr or ip6_addr
/// (IF|ADDRESS/LEN items), without the prefix length; "" when it has none.
inline std::string jail_address(const JailSpec& spec, bool ipv6) {
  const std::string value = spec.props.get(ipv6 ? "ip6_addr" : "ip4_addr");
  if (value.empty() || value == "none") return "";
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t bar = item.find('|');
    std::string addr = bar == std::string::npos ? item : item.substr(bar + 1);
    addr = addr.substr(0, addr.find('/'));
    unsigned char buf[16];
    if (::inet_pton(ipv6 ? AF_INET6 : AF_INET, addr.c_str(), buf) == 1) return addr;
  }
  return "";
}

/// jail_address, or an error naming the entry and the property to set.
inline std::string target_of(const JailSpec& spec, const Entry& e) {
  const std::string to = jail_address(spec, e.ipv6);
  if (to.empty())
    throw std::runtime_error("rdr entry '" + e.text + "' forwards to the jail's " + (e.ipv6 ? "IPv6" : "IPv4") +
                             " address, but " + (e.ipv6 ? "ip6_addr" : "ip4_addr") + " of " + spec.uuid +
                             " holds none (an address from DHCP is not known in advance): set a static one");
  return to;
}

}  // namespace forward

/// Loads and removes a jail's port forwards in the host's packet filter.
/// The core asks for the host's forwarder only for jails whose rdr is not
/// none; each jail's rules live apart from every other rule on the host.
class IOCELL_SDK_EXPORT PortForwarder {
 public:
  virtual ~PortForwarder() = default;
  virtual std::string name() const = 0;
  /// After the jail's network is attached at start: loads the forwards of
  /// the spec's rdr, replacing whatever the jail had. Refuses with a clear
  /// message when the host's filter cannot take them.
  virtual void add(const JailSpec& spec, const RunState& state) = 0;
  /// Before the network is detached at stop, and after a failed start:
  /// removes every forward of the jail. Nothing there is not an error.
  virtual void remove(const JailSpec& spec) = 0;
  /// The forwards loaded now, one rule a line as the filter shows it.
  virtual std::vector<std::string> active(const JailSpec& spec) = 0;
};

}  // namespace iocell::sdk
