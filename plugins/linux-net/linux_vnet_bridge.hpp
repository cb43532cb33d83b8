// "vnet-bridge" on Linux: a VNET jail (its own network namespace, made by
// the runtime) with one veth pair per `interfaces` item.
//
// prepare()  checks the items, stores the MAC pair of every vnetN whose
//            vnetN_mac is none in spec.props (the core persists vnet*_mac),
//            and checks that each address names one of the jail's
//            interfaces. dhcp=on and ip6_addr IF|DHCP6 are refused: no
//            DHCP client is run.
// attach()   per vnetN:BRIDGE: the bridge (created when missing and
//            createbridge=on, marked with the alias "created-by-iocell"),
//            a veth pair whose host end vnetN_<tag> joins the bridge and
//            whose other end is born in the jail's namespace as vnetN with
//            the stored MACs and the bridge's MTU; then, through a
//            transient `ip netns attach` name, SLAAC for ip6_addr's
//            IF|accept_rtadv (accept_ra=2, autoconf=1 in the jail's
//            namespace), lo up, the addresses
//            (default length /24 and /64) and the default routes.
//            With vlans=vnetN:VID, the host end of vnetN is an untagged
//            member of VLAN VID (its PVID) and leaves the bridge's
//            default VLAN; the bridge must filter VLANs, which iocell turns
//            on only on a bridge it created (another is refused). A kernel
//            without bridge VLAN filtering gets a bridge per VLAN instead,
//            BRIDGEvVID, created like a missing bridge.
// detach()   deletes the host ends (the jail ends go with them).
// cleanup()  deletes host ends left by a failed start, the transient netns
//            name, and each bridge iocell created (VLAN bridges too) once no
//            port is left. A bridge iocell did not create is never deleted.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/network.hpp>

#include "net_names.hpp"

namespace iocell::plugins::linux_net {

/// The alias iocell puts on bridges it creates (ifalias; one word, so that
/// `ip -batch` lines need no quoting).
inline constexpr const char* kIocellBridge = "created-by-iocell";

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
  /// Runs `ip` lines: one `ip -batch -` for real, one command per line in
  /// --dry-run so that the printed plan is readable.
  void ip_lines(const std::vector<std::string>& lines, const std::string& netns = "");
  void delete_host_ends(const sdk::JailSpec& spec);
  /// Creates `bridge`, marked as iocell's, unless it exists; refused when
  /// createbridge=off.
  void ensure_bridge(const sdk::JailSpec& spec, const std::string& bridge);
  /// Where a host end joins and what puts it on its VLAN once it has.
  struct Port {
    std::string bridge;
    std::vector<sdk::Command> vlan_setup;
  };
  /// VLAN `vid` of `bridge` for the port `host_end`: on a bridge that
  /// filters VLANs (turned on only on a bridge iocell made; another one
  /// without filtering is refused) an untagged member of `vid`; on a kernel
  /// without VLAN filtering, the VLAN's own bridge (sdk::vnet::vlan_bridge_name).
  Port vlan_port(const sdk::JailSpec& spec, const std::string& bridge, int vid, const std::string& host_end);
  std::filesystem::path lock_file() const { return m_host.root / ".run" / "vnet-bridge.lock"; }

  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_net
