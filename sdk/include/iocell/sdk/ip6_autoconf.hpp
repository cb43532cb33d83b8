// The ip6_addr words that ask a VNET jail to configure IPv6 itself, used by
// the core's validation and by the network plugins.
#pragma once

#include <stdexcept>
#include <string>

#include <iocell/sdk/properties.hpp>

namespace iocell::sdk {

/// The ip6_addr items that ask the jail to configure IPv6 itself instead of
/// naming an address: IF|accept_rtadv (SLAAC from router advertisements) and
/// IF|DHCP6 (a DHCPv6 client in the jail). Only a VNET jail has an interface
/// of its own to autoconfigure. The one definition of these words.
inline constexpr const char* kAcceptRtadv = "accept_rtadv";
inline constexpr const char* kDhcp6 = "DHCP6";
inline bool ip6_autoconf(const std::string& address) { return address == kAcceptRtadv || address == kDhcp6; }

/// Throws for a jail without its own network stack whose ip6_addr holds an
/// autoconfiguration item, naming the item and what to set instead.
inline void refuse_ip6_autoconf(const PropertyMap& props) {
  for (const auto& a : parse_ip_list(props.get("ip6_addr")))
    if (ip6_autoconf(a.address))
      throw std::runtime_error("ip6_addr item '" + (a.interface.empty() ? "" : a.interface + "|") + a.address +
                               "' needs vnet=on: a jail sharing the host's network has no interface of its own to "
                               "autoconfigure; set vnet=on or a static IF|ADDRESS/LEN");
}

}  // namespace iocell::sdk
