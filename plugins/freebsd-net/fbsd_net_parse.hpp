// Pure helpers of the FreeBSD network plugins: names, MACs, and parsers for
// what ifconfig(8) and route(8) print.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/vnet.hpp>

namespace iocell::plugins::freebsd_net {

using VnetInterface = sdk::vnet::Interface;
using sdk::vnet::colon_mac;
using sdk::vnet::split_mac_pair;

/// sdk::vnet::parse_interfaces, and a VNET jail needs at least one item.
std::vector<VnetInterface> parse_interfaces(const std::string& value);

/// The MAC pair of vnetN (sdk::vnet::mac_pair) with the first 8 hex digits
/// of the UUID, so that a MAC names its jail. Throws when the UUID does not
/// start with 8 hex digits.
std::pair<std::string, std::string> derive_macs(const std::string& uuid, int index);

/// The host end's name: "vnet0_a1b2c3d4" (14 characters; IFNAMSIZ allows 15).
/// Derived from the UUID alone, so that a cleanup without a running jail
/// finds it.
std::string host_ifname(const std::string& uuid, int index);
/// Whether `name` has host_ifname's form: a jail's host end.
bool is_host_ifname(const std::string& name);

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
