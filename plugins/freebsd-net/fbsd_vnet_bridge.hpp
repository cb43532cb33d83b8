// "vnet-bridge": a VNET jail with one epair(4) per `interfaces` item.
//
// prepare()  adds vnet=new, derives the MAC pair of every vnetN whose
//            vnetN_mac is none and stores it in spec.props (the core saves
//            vnet*_mac after a start, so the MACs stay stable), and checks that
//            every address names one of the jail's interfaces; an
//            ip6_addr IF|DHCP6 item needs the jail's /usr/local/sbin/dhcpcd.
// attach()   per vnetN:BRIDGE: the bridge (created when missing and
//            createbridge=on, marked with a description so that iocell knows
//            it made it), `ifconfig epair create`, the host end renamed
//            vnetN_<uuid8>, MAC, the bridge's MTU (a bridge's MTU is its first
//            member's: if_bridge refuses members that differ), then the b end
//            moved into the jail, renamed vnetN, configured from inside with
//            jexec; lo0, addresses, default routes, DHCP, SLAAC (IF|accept_rtadv:
//            rc.conf + rtsol) and DHCPv6 (IF|DHCP6: dhcpcd -6).
//            vlans=vnetN:VID: where `ifconfig BRIDGE` shows "bridge flags"
//            (FreeBSD 15's if_bridge filters VLANs), the host end joins
//            BRIDGE and gets `ifuntagged HOST VID`; iocell turns vlanfilter
//            on (with defuntagged 1, so that jails without a VLAN keep
//            their LAN) only on a bridge it made and that has no member
//            yet, and refuses any other bridge without it. Without VLAN
//            filtering (FreeBSD 14), VLAN VID is a bridge of its own,
//            BRIDGEvVID, created like a missing bridge, whose uplinks are
//            vlan(4) interfaces UPLINK.VID on each member of BRIDGE that is
//            not a jail's host end.
// detach()   destroys the host ends (the pair goes with them).
// cleanup()  destroys host ends still left after a failed start, and each
//            bridge iocell made once no member is left. A bridge iocell did
//            not make is never destroyed.
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/network.hpp>

#include "fbsd_net_parse.hpp"

namespace iocell::plugins::freebsd_net {

/// The description iocell puts on bridges it creates.
inline constexpr const char* kIocellBridge = "created by iocell";

class VnetBridge : public sdk::Network {
 public:
  explicit VnetBridge(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "vnet-bridge"; }
  bool own_stack() const override { return true; }
  void prepare(sdk::JailSpec& spec) override;
  void attach(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void detach(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void cleanup(const sdk::JailSpec& spec) override;

 private:
  sdk::CommandRunner& run() { return *m_host.runner; }
  /// A bridge as ensure_bridge found it: what `ifconfig BRIDGE` showed and
  /// its MTU, or (created) nothing yet: iocell just made it, empty.
  struct Bridge {
    std::string shown;
    int mtu = 0;
    bool created = false;
  };
  Bridge ensure_bridge(const sdk::JailSpec& spec, const std::string& bridge);
  /// Where a host end joins and what puts it on its VLAN once it has.
  struct Port {
    std::string bridge;
    std::vector<sdk::Command> after_join;
  };
  /// VLAN `vid` of `bridge` for the port `host_end`: on an if_bridge that
  /// filters VLANs, an untagged member; on one that cannot, the VLAN's own
  /// bridge with a vlan(4) uplink per uplink of `bridge`.
  Port vlan_port(const sdk::JailSpec& spec, const std::string& bridge, const Bridge& found, int vid, const std::string& host_end);
  void attach_one(const sdk::JailSpec& spec, const VnetInterface& vi, int mtu, const Port& port);
  /// Destroys `bridge` when iocell made it and nothing but the vlan(4)
  /// uplinks iocell made for it is a member, those first. Adds failures to `errors`.
  void destroy_if_unused(const std::string& bridge, std::vector<std::string>& errors);
  void configure_inside(const sdk::JailSpec& spec, const std::vector<VnetInterface>& nics);
  /// Sets each KEY="VALUE" in the jail's /etc/rc.conf, replacing the KEY= lines there.
  void write_rc_conf(const sdk::JailSpec& spec, const std::vector<std::pair<std::string, std::string>>& settings);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::freebsd_net
