#include "bridge_vlans.hpp"

#include <cstdlib>
#include <stdexcept>

#include <iocell/sdk/vnet.hpp>

namespace iocell::plugins::linux_net {

namespace {
// The number after " KEY " in `ip -d link show` output, -1 when absent.
int link_detail(const std::string& out, const std::string& key) {
  const size_t at = out.find(" " + key + " ");
  if (at == std::string::npos) return -1;
  return std::atoi(out.c_str() + at + key.size() + 2);
}
}  // namespace

VlanPlan plan_vlan_port(const std::string& details, const std::string& bridge, int vid, const std::string& host_end,
                        const std::string& iocell_alias) {
  VlanPlan plan;
  // iproute2 prints the bridge's default PVID only when the kernel filters
  // VLANs (CONFIG_BRIDGE_VLAN_FILTERING).
  const int default_pvid = link_detail(details, "vlan_default_pvid");
  if (default_pvid < 0) {
    plan.join = sdk::vnet::vlan_bridge_name(bridge, vid);
    plan.own_vlan_bridge = true;
    return plan;
  }
  if (link_detail(details, "vlan_filtering") != 1) {
    // Turning filtering on changes what every port of a bridge carries: done
    // only on the bridges iocell made, never on one of the host's.
    if (details.find("alias " + iocell_alias) == std::string::npos)
      throw std::runtime_error("vlans puts a jail interface on a VLAN of bridge " + bridge + ", which has VLAN filtering off and which "
                               "iocell did not create: turn filtering on (ip link set dev " + bridge +
                               " type bridge vlan_filtering 1) or set vlans=none");
    plan.turn_filtering_on = true;
  }
  plan.join = bridge;
  const std::string id = std::to_string(vid);
  plan.port_setup.push_back({"bridge", "vlan", "add", "dev", host_end, "vid", id, "pvid", "untagged"});
  // A new port is also an untagged member of the bridge's default VLAN:
  // left there, it would take that VLAN's broadcasts too.
  if (default_pvid > 0 && default_pvid != vid)
    plan.port_setup.push_back({"bridge", "vlan", "del", "dev", host_end, "vid", std::to_string(default_pvid)});
  return plan;
}

}  // namespace iocell::plugins::linux_net
