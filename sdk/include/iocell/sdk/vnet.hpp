// What every VNET network plugin reads the same way: the `interfaces`
// property and the MAC pairs of `vnetN_mac`. How the 32 bits that stand for
// a jail in its MACs and host-side names are chosen stays each plugin's own
// (FreeBSD: the UUID's first 8 hex digits, as the shell iocell did).
#pragma once

#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/properties.hpp>

namespace iocell::sdk::vnet {

/// One `vnetN:BRIDGE` item of the interfaces property.
struct Interface {
  std::string nic;     ///< "vnet0": its name inside the jail
  int index = 0;       ///< N
  std::string bridge;  ///< "bridge0"
};

namespace detail {
inline bool is_hex(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!std::isxdigit(c)) return false;
  return true;
}
inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
// An interface name both systems accept: a letter, then letters, digits,
// '_', '.' or '-', at most 15 characters (IFNAMSIZ - 1).
inline bool valid_ifname(const std::string& s) {
  if (s.empty() || s.size() > 15 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}
}  // namespace detail

/// Parses "vnet0:bridge0,vnet1:bridge1" (an empty value gives no item).
/// Throws naming the bad item: not vnetN:BRIDGE, or N twice.
inline std::vector<Interface> parse_interfaces(const std::string& value) {
  std::vector<Interface> out;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t colon = item.find(':');
    const std::string nic = item.substr(0, colon);
    const std::string bridge = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (nic.size() != 5 || nic.rfind("vnet", 0) != 0 || !std::isdigit(static_cast<unsigned char>(nic[4])) ||
        !detail::valid_ifname(bridge))
      throw std::runtime_error("invalid item '" + item + "' in interfaces='" + value +
                               "': allowed: vnetN:BRIDGE, N from 0 to 9, BRIDGE an interface name of at most 15 characters");
    Interface vi{nic, nic[4] - '0', bridge};
    for (const auto& seen : out)
      if (seen.index == vi.index) throw std::runtime_error("interfaces='" + value + "' names " + nic + " twice");
    out.push_back(vi);
  }
  return out;
}

/// One `vnetN:VID` item of the vlans property: the jail's interface vnetN
/// is an untagged member of VLAN `vid` on its bridge.
struct Vlan {
  std::string nic;  ///< "vnet0"
  int vid = 0;      ///< 1..4094
};

/// What the vlans property allows, for error messages and the property table.
inline constexpr const char* kVlansHelp =
    "none or vnetN:VID items separated by commas, such as vnet0:10,vnet1:20 (N from 0 to 9, VID from 1 to 4094, each vnetN once)";

/// Parses "vnet0:10,vnet1:20" ("none" or empty gives no item). Throws
/// std::invalid_argument naming the value and what is allowed.
inline std::vector<Vlan> parse_vlans(const std::string& value) {
  std::vector<Vlan> out;
  if (value.empty() || value == "none") return out;
  const auto bad = [&](const std::string& why) {
    throw std::invalid_argument("invalid value '" + value + "' for property vlans: " + why + "; allowed: " + kVlansHelp);
  };
  std::stringstream ss(value + ",");
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t colon = item.find(':');
    const std::string nic = item.substr(0, colon);
    const std::string id = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (nic.size() != 5 || nic.rfind("vnet", 0) != 0 || !std::isdigit(static_cast<unsigned char>(nic[4])))
      bad("'" + item + "' does not start with vnetN:");
    bool digits = !id.empty() && id.size() <= 4 && id[0] != '0';
    for (unsigned char c : id) digits = digits && std::isdigit(c);
    if (!digits || std::stoi(id) > 4094) bad("'" + id + "' in '" + item + "' is not a VLAN id");
    for (const auto& seen : out)
      if (seen.nic == nic) bad(nic + " is named twice");
    out.push_back({nic, std::stoi(id)});
  }
  return out;
}

/// The VLAN of each interface, checked against the interfaces property:
/// a vnetN that is not one of the jail's interfaces is an error naming both.
inline std::vector<Vlan> vlans_of(const std::string& vlans, const std::vector<Interface>& interfaces) {
  auto out = parse_vlans(vlans);
  for (const auto& v : out) {
    bool found = false;
    for (const auto& i : interfaces) found = found || i.nic == v.nic;
    if (!found)
      throw std::runtime_error("vlans='" + vlans + "' puts " + v.nic +
                               " on a VLAN, but it is not one of the jail's interfaces (see the interfaces property)");
  }
  return out;
}

/// Throws for a jail without its own network stack that asks for a VLAN:
/// started anyway, it would sit on the host's network, not on the VLAN.
inline void refuse_vlans_without_vnet(const PropertyMap& props) {
  if (!parse_vlans(props.get("vlans")).empty())
    throw std::runtime_error("vlans='" + props.get("vlans") + "' needs vnet=on: a jail sharing the host's network has no interface "
                             "of its own to put on a VLAN; set vnet=on or vlans=none");
}

/// The longest interface name the kernels take (IFNAMSIZ less the NUL).
inline constexpr std::size_t kMaxIfName = 15;

/// The bridge that stands for VLAN `vid` of `bridge` where the bridge
/// cannot filter VLANs itself: "bridge0v10". Throws when the name would be
/// longer than an interface name may be.
inline std::string vlan_bridge_name(const std::string& bridge, int vid) {
  std::string name = bridge + "v" + std::to_string(vid);
  if (name.size() > kMaxIfName)
    throw std::runtime_error("VLAN " + std::to_string(vid) + " of bridge " + bridge + " needs a bridge of its own, and its name " + name +
                             " is longer than " + std::to_string(kMaxIfName) + " characters: use a bridge with a shorter name in interfaces");
  return name;
}

/// The bridges a start may have made for the jail's VLANs where its
/// bridges cannot filter them (vlan_bridge_name), for cleanup. A vlans
/// value or a name that does not hold gives none: a start refused those.
inline std::vector<std::string> vlan_bridges_of(const std::string& vlans, const std::vector<Interface>& interfaces) {
  std::vector<std::string> out;
  std::vector<Vlan> items;
  try {
    items = vlans_of(vlans, interfaces);
  } catch (const std::exception&) {
    return out;
  }
  for (const auto& v : items)
    for (const auto& i : interfaces) {
      if (i.nic != v.nic) continue;
      try {
        out.push_back(vlan_bridge_name(i.bridge, v.vid));
      } catch (const std::exception&) {
      }
    }
  return out;
}

/// The MAC pair of vnetN, 12 hex digits each: a locally administered
/// unicast prefix (02), the jail's 8 hex digits `tag`, then 2N for the host
/// end and 2N+1 for the jail end, so that no two interfaces of a jail share
/// a MAC.
inline std::pair<std::string, std::string> mac_pair(const std::string& tag, int index) {
  if (tag.size() != 8 || !detail::is_hex(tag)) throw std::runtime_error("cannot derive a MAC from '" + tag + "': 8 hex digits needed");
  if (index < 0 || index > 9) throw std::runtime_error("cannot derive a MAC for vnet" + std::to_string(index) + ": N goes from 0 to 9");
  char host[3], jail[3];
  std::snprintf(host, sizeof host, "%02x", 2 * index);
  std::snprintf(jail, sizeof jail, "%02x", 2 * index + 1);
  const std::string base = "02" + detail::lower(tag);
  return {base + host, base + jail};
}

/// "02a1b2c3d400" -> "02:a1:b2:c3:d4:00". Throws unless 12 hex digits.
inline std::string colon_mac(const std::string& mac12) {
  if (mac12.size() != 12 || !detail::is_hex(mac12)) throw std::runtime_error("invalid MAC '" + mac12 + "': allowed: 12 hex digits");
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (i) out += ':';
    out += detail::lower(mac12.substr(i, 2));
  }
  return out;
}

/// Splits a stored vnetN_mac value "HOST,JAIL" (returned in lower case).
/// Throws when malformed or when both ends have the same MAC.
inline std::pair<std::string, std::string> split_mac_pair(const std::string& value) {
  const size_t comma = value.find(',');
  if (comma == std::string::npos)
    throw std::runtime_error("invalid MAC pair '" + value + "': allowed: HOSTMAC,JAILMAC (12 hex digits each)");
  const std::string a = value.substr(0, comma), b = value.substr(comma + 1);
  colon_mac(a);
  colon_mac(b);
  if (detail::lower(a) == detail::lower(b)) throw std::runtime_error("invalid MAC pair '" + value + "': both ends have the same MAC");
  return {detail::lower(a), detail::lower(b)};
}

}  // namespace iocell::sdk::vnet
