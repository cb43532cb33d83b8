// How a jail's port joins VLAN VID of a Linux bridge, decided from what
// `ip -d link show dev BRIDGE` prints: the one decision vnet-bridge makes
// per VLAN, kept apart so that the form a kernel with bridge VLAN filtering
// gets is pinned by tests on machines whose kernel has none.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>

namespace iocell::plugins::linux_net {

struct VlanPlan {
  /// The bridge is iocell's and can filter but does not yet.
  bool turn_filtering_on = false;
  /// Run once the port is on `bridge`: its PVID, and out of the default VLAN.
  std::vector<sdk::Command> port_setup;
  /// The bridge the port joins: `bridge` itself, or (a kernel without
  /// VLAN filtering) the VLAN's own bridge, which iocell creates if missing.
  std::string join;
  bool own_vlan_bridge = false;
};

/// `details` is `ip -d link show dev BRIDGE`; `iocell_alias` the alias
/// iocell marks its bridges with. Throws, naming the fix, for a bridge of
/// the host's that could filter and does not.
VlanPlan plan_vlan_port(const std::string& details, const std::string& bridge, int vid, const std::string& host_end,
                        const std::string& iocell_alias);

}  // namespace iocell::plugins::linux_net
