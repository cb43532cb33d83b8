// Pure helpers of the FreeBSD network plugins: names, MACs, and parsers for
// what ifconfig(8) and route(8) print.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace iocell::plugins::freebsd_net {

/// One `vnetN:BRIDGE` item of the interfaces property.
struct VnetInterface {
  std::string nic;     ///< "vnet0": its name inside the jail
  int index = 0;       ///< N
  std::string bridge;  ///< "bridge0"
};

/// Parses "vnet0:bridge0,vnet1:bridge1". Throws naming the bad item.
std::vector<VnetInterface> parse_interfaces(const std::string& value);

/// The MAC pair of vnetN, 12 hex digits each, no separators: a locally
/// administered unicast prefix (02), the first 8 hex digits of the UUID,
/// then 2N for the host end and 2N+1 for the jail end. So the pair differs,
/// no two interfaces of a jail collide, and a MAC names its jail's UUID.
/// Throws when the UUID does not start with 8 hex digits.
std::pair<std::string, std::string> derive_macs(const std::string& uuid, int index);

/// "02a1b2c3d400" -> "02:a1:b2:c3:d4:00". Throws unless 12 hex digits.
std::string colon_mac(const std::string& mac12);

/// Splits a stored vnetN_mac value "HOST,JAIL". Throws when malformed.
std::pair<std::string, std::string> split_mac_pair(const std::string& value);

/// The host end's name: "vnet0_a1b2c3d4" (14 characters; IFNAMSIZ allows 15).
/// Derived from the UUID alone, so that a cleanup without a running jail
/// finds it.
std::string host_ifname(const std::string& uuid, int index);

/// The interface `route -n get default` reports ("  interface: em0").
/// Returns "" when there is none.
std::string parse_route_interface(const std::string& out);

/// The name `ifconfig epair create` printed ("epair5a"). Throws otherwise.
std::string parse_epair_create(const std::string& out);

/// A bridge name `ifconfig bridge create` printed ("bridge3"). Throws otherwise.
std::string parse_bridge_create(const std::string& out);

struct IfInfo {
  int mtu = 0;
  std::string description;
  std::vector<std::string> members;  ///< bridge members, in order
};

/// What `ifconfig IF` prints: mtu of the first line, description, members.
IfInfo parse_ifconfig(const std::string& out);

/// Words of `ifconfig -l`.
std::vector<std::string> split_words(const std::string& out);

}  // namespace iocell::plugins::freebsd_net
