// Pure helpers of the Linux network plugins: interface items, MACs, names,
// and what `ip` prints.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace iocell::plugins::linux_net {

/// One `vnetN:BRIDGE` item of the interfaces property.
struct VnetInterface {
  std::string nic;  ///< "vnet0": its name inside the jail
  int index = 0;    ///< N
  std::string bridge;
};

/// Parses "vnet0:bridge0,vnet1:bridge1". Throws naming the bad item.
std::vector<VnetInterface> parse_interfaces(const std::string& value);

/// 32 bits that stand for the jail's UUID (FNV-1a of all of it, so that
/// UUIDs sharing a prefix still differ), as 8 hex digits.
std::string uuid_tag(const std::string& uuid);

/// The MAC pair of vnetN, 12 hex digits each: a locally administered
/// unicast prefix (02), the UUID tag, then 2N for the host end and 2N+1 for
/// the jail end, so no two interfaces of a jail share a MAC.
std::pair<std::string, std::string> derive_macs(const std::string& uuid, int index);
/// "02a1b2c3d400" -> "02:a1:b2:c3:d4:00". Throws unless 12 hex digits.
std::string colon_mac(const std::string& mac12);
/// Splits a stored vnetN_mac "HOST,JAIL" (lower case). Throws when malformed.
std::pair<std::string, std::string> split_mac_pair(const std::string& value);

/// The host end's name, "vnet0_a1b2c3d4" (14 characters, IFNAMSIZ allows
/// 15), from the UUID alone so that a cleanup without the jail finds it.
std::string host_ifname(const std::string& uuid, int index);
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
