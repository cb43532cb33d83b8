// The addresses of a shared-IP jail that has a network namespace of its own
// (ip4/ip6 not "inherit"): one veth pair per parent interface, the jail's
// end named like the parent and holding the jail's addresses, the host's
// end routing each address (/32, /128) to the jail. A proxy neighbour
// entry on the parent answers ARP/NDP for the address on the host's LAN,
// as an alias there would. Nothing of the host is visible in the jail:
// no interface, no address, no loopback, no abstract socket.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail.hpp>

namespace iocell::plugins::linux_net {

struct RoutedAddress {
  std::string parent;  ///< host interface, DEFAULT resolved
  std::string address;
  int len = 0;
  bool v6 = false;
};

/// Puts the veth pairs into the namespace of `init` and configures both
/// sides. `record` gets "parent address" for every proxy entry added, so
/// that remove_routed() takes back exactly those.
void attach_routed(const sdk::HostContext& host, const sdk::JailSpec& spec, int init,
                   const std::vector<RoutedAddress>& addresses, const std::filesystem::path& record);

/// Deletes the host ends (their jail ends and routes go with them) and the
/// recorded proxy entries. Tolerates what is already gone.
void remove_routed(const sdk::HostContext& host, const sdk::JailSpec& spec, const std::filesystem::path& record);

}  // namespace iocell::plugins::linux_net
