// Pure helpers of the Linux network plugins: interface items, MACs, names,
// and what `ip` prints.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/vnet.hpp>

namespace iocell::plugins::linux_net {

using VnetInterface = sdk::vnet::Interface;
using sdk::vnet::colon_mac;
using sdk::vnet::parse_interfaces;
using sdk::vnet::split_mac_pair;

/// 32 bits that stand for the jail's UUID (FNV-1a of all of it, so that
/// UUIDs sharing a prefix still differ), as 8 hex digits.
std::string uuid_tag(const std::string& uuid);

/// The MAC pair of vnetN (sdk::vnet::mac_pair) with the UUID tag.
std::pair<std::string, std::string> derive_macs(const std::string& uuid, int index);

/// The host end's name, "vnet0_a1b2c3d4" (14 characters, IFNAMSIZ allows
/// 15), from the UUID alone so that a cleanup without the jail finds it.
std::string host_ifname(const std::string& uuid, int index);
/// The host end of the routed veth a shared-IP jail gets for its Nth
/// parent interface, "sip0_a1b2c3d4": from the UUID alone, as host_ifname.
std::string routed_ifname(const std::string& uuid, int index);
/// The name the jail's network namespace gets while iocell configures it.
std::string netns_name(const std::string& uuid);

/// The device of `ip route show default` output ("default via X dev em0 ..."), or "".
std::string route_device(const std::string& out);

/// One interface of `ip -o -d link show`.
struct LinkInfo {
  std::string name;
  std::string master;  ///< bridge it is a port of, or ""
  std::string alias;
  std::string mac;     ///< "02:..."
};
std::vector<LinkInfo> parse_links(const std::string& out);

}  // namespace iocell::plugins::linux_net
