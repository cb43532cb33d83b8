#include "linux_vnet_bridge.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include <iocell/sdk/ip6_autoconf.hpp>

#include "bridge_vlans.hpp"
#include "host_net.hpp"

namespace iocell::plugins::linux_net {

namespace {

struct Address {
  std::string nic;
  std::string cidr;
};

// Every address of ip4_addr/ip6_addr with the jail interface it goes on.
std::vector<Address> jail_addresses(const sdk::JailSpec& spec, const std::vector<VnetInterface>& nics) {
  std::vector<Address> out;
  for (const bool v6 : {false, true}) {
    const std::string prop = v6 ? "ip6_addr" : "ip4_addr";
    for (const auto& a : sdk::parse_ip_list(spec.props.get(prop))) {
      if (v6 && sdk::ip6_autoconf(a.address)) continue;  // see autoconf_nics
      std::string nic = a.interface;
      if (nic.empty() || nic == "DEFAULT") nic = nics.front().nic;
      if (std::none_of(nics.begin(), nics.end(), [&](const VnetInterface& v) { return v.nic == nic; })) {
        std::string have;
        for (const auto& v : nics) have += (have.empty() ? "" : ", ") + v.nic;
        throw std::runtime_error(prop + " puts " + a.address + " on " + nic + ", which is not one of the jail's interfaces (" +
                                 have + "; see the interfaces property)");
      }
      const int len = a.prefix_len < 0 ? (v6 ? 64 : 24) : a.prefix_len;
      out.push_back({nic, a.address + "/" + std::to_string(len)});
    }
  }
  return out;
}

// The jail interfaces of ip6_addr's IF|accept_rtadv items. IF|DHCP6 is
// refused: this plugin runs no DHCP client, in the jail or for it.
std::vector<std::string> autoconf_nics(const sdk::JailSpec& spec, const std::vector<VnetInterface>& nics) {
  std::vector<std::string> out;
  for (const auto& a : sdk::parse_ip_list(spec.props.get("ip6_addr"))) {
    if (!sdk::ip6_autoconf(a.address)) continue;
    const std::string nic = a.interface.empty() || a.interface == "DEFAULT" ? nics.front().nic : a.interface;
    if (a.address == sdk::kDhcp6)
      throw std::runtime_error("ip6_addr item '" + nic + "|" + a.address + "' needs a DHCPv6 client, and vnet-bridge on Linux "
                               "runs none: use " + nic + "|" + sdk::kAcceptRtadv + " (SLAAC) or a static " + nic + "|ADDRESS/LEN");
    if (std::none_of(nics.begin(), nics.end(), [&](const VnetInterface& v) { return v.nic == nic; }))
      throw std::runtime_error("ip6_addr item '" + nic + "|" + a.address + "' names " + nic +
                               ", which is not one of the jail's interfaces (see the interfaces property)");
    if (std::find(out.begin(), out.end(), nic) == out.end()) out.push_back(nic);
  }
  return out;
}

// Undoes what it was told about unless dismissed: a failed attach leaves
// no interface and no netns name behind.
class Undo {
 public:
  explicit Undo(sdk::CommandRunner& run) : m_run(run) {}
  ~Undo() {
    for (auto it = m_steps.rbegin(); it != m_steps.rend(); ++it) m_run.run(*it);
  }
  void add(sdk::Command c) { m_steps.push_back(std::move(c)); }
  void dismiss() { m_steps.clear(); }

 private:
  sdk::CommandRunner& m_run;
  std::vector<sdk::Command> m_steps;
};

}  // namespace

void VnetBridge::ip_lines(const std::vector<std::string>& lines, const std::string& netns) {
  run_ip_lines(m_host, lines, netns);
}

void VnetBridge::prepare(sdk::JailSpec& spec) {
  auto nics = parse_interfaces(spec.props.get("interfaces"));
  if (nics.empty()) throw std::runtime_error("vnet=on needs at least one interfaces item such as vnet0:bridge0");
  if (spec.props.enabled("dhcp"))
    throw std::runtime_error("dhcp=on is not supported by vnet-bridge on Linux: set ip4_addr=vnet0|ADDRESS/LEN and defaultrouter");
  std::vector<std::string> macs;
  for (const auto& vi : nics) {
    const std::string prop = vi.nic + "_mac";
    std::pair<std::string, std::string> pair;
    if (spec.props.is_set(prop)) {
      pair = split_mac_pair(spec.props.get(prop));
    } else {
      pair = derive_macs(spec.uuid, vi.index);
      spec.props.set(prop, pair.first + "," + pair.second);
    }
    for (const auto& m : {pair.first, pair.second}) {
      if (std::find(macs.begin(), macs.end(), m) != macs.end())
        throw std::runtime_error("MAC " + colon_mac(m) + " is used twice among the jail's interfaces; fix the vnetN_mac properties");
      macs.push_back(m);
    }
  }
  jail_addresses(spec, nics);
  autoconf_nics(spec, nics);
  sdk::vnet::vlans_of(spec.props.get("vlans"), nics);
  spec.params.emplace_back("netns", "new");
}

void VnetBridge::attach(const sdk::JailSpec& spec, const sdk::RunState& state) {
  auto nics = parse_interfaces(spec.props.get("interfaces"));
  const auto addresses = jail_addresses(spec, nics);
  const auto slaac = autoconf_nics(spec, nics);
  const auto vlans = sdk::vnet::vlans_of(spec.props.get("vlans"), nics);
  if (state.jid <= 0 && !m_host.dry_run) throw std::runtime_error("vnet-bridge needs the jail's init to attach " + spec.name);
  std::optional<FileLock> lock;
  if (!m_host.dry_run) lock.emplace(lock_file());
  auto& run = *m_host.runner;
  Undo undo(run);

  std::vector<std::string> host;
  std::vector<sdk::Command> vlan_commands;
  const auto existing = m_host.dry_run ? std::vector<std::string>{} : link_macs();
  for (const auto& vi : nics) {
    ensure_bridge(spec, vi.bridge);
    const std::string prop = vi.nic + "_mac";
    std::string pair_text = spec.props.get(prop);
    if (!spec.props.is_set(prop)) {
      auto derived = derive_macs(spec.uuid, vi.index);
      pair_text = derived.first + "," + derived.second;
    }
    const auto [hmac, jmac] = split_mac_pair(pair_text);
    for (const auto& m : {colon_mac(hmac), colon_mac(jmac)}) {
      if (std::find(existing.begin(), existing.end(), m) != existing.end())
        throw std::runtime_error("MAC " + m + " of " + spec.uuid + " " + vi.nic +
                                 " is already used on this host; set " + vi.nic + "_mac to another pair");
    }
    const std::string vh = host_ifname(spec.uuid, vi.index);
    if (link_exists(vh)) throw std::runtime_error("interface " + vh + " already exists (is " + spec.uuid + " running twice?)");
    const auto vlan = std::find_if(vlans.begin(), vlans.end(), [&](const sdk::vnet::Vlan& v) { return v.nic == vi.nic; });
    const Port port = vlan == vlans.end() ? Port{vi.bridge, {}} : vlan_port(spec, vi.bridge, vlan->vid, vh);
    const int mtu = m_host.dry_run ? 0 : link_mtu(vi.bridge);
    const std::string mtu_opt = mtu > 0 ? " mtu " + std::to_string(mtu) : "";
    host.push_back("link add name " + vh + mtu_opt + " address " + colon_mac(hmac) + " type veth peer name " + vi.nic +
                   mtu_opt + " address " + colon_mac(jmac) + " netns " + std::to_string(state.jid));
    host.push_back("link set dev " + vh + " master " + port.bridge + " up");
    vlan_commands.insert(vlan_commands.end(), port.vlan_setup.begin(), port.vlan_setup.end());
    undo.add(sdk::Command{"ip", "link", "del", vh});
  }
  ip_lines(host);
  // The memberships go with the host ends at stop: deleting a port leaves
  // nothing of it on the bridge.
  for (const auto& c : vlan_commands) run.check(c);

  const std::string ns = netns_name(spec.uuid);
  run.check({"ip", "netns", "attach", ns, std::to_string(state.jid)});
  // The name is only a handle for `ip -n`: it goes whether attach works or not.
  struct Detach {
    sdk::CommandRunner& r;
    std::string n;
    ~Detach() { r.run({"ip", "netns", "delete", n}); }
  } detach_name{run, ns};

  // SLAAC, set before the link comes up so that its first router
  // solicitation already counts. These are the jail namespace's own
  // /proc/sys/net/ipv6/conf/IF files (sysctl run in that namespace), never
  // the host's. accept_ra=2 takes advertisements even if forwarding is on.
  for (const auto& nic : slaac) {
    const std::string conf = "net.ipv6.conf." + nic + ".";
    run.check({"ip", "netns", "exec", ns, "sysctl", "-q", "-w", conf + "accept_ra=2", conf + "autoconf=1"});
  }
  std::vector<std::string> inside{"link set dev lo up"};
  for (const auto& vi : nics) inside.push_back("link set dev " + vi.nic + " up");
  for (const auto& a : addresses) inside.push_back("addr add " + a.cidr + " dev " + a.nic);
  if (spec.props.is_set("defaultrouter")) inside.push_back("route add default via " + spec.props.get("defaultrouter"));
  if (spec.props.is_set("defaultrouter6")) inside.push_back("route add default via " + spec.props.get("defaultrouter6"));
  ip_lines(inside, ns);
  undo.dismiss();
}

void VnetBridge::ensure_bridge(const sdk::JailSpec& spec, const std::string& bridge) {
  if (link_exists(bridge)) return;
  if (!spec.props.enabled("createbridge"))
    throw std::runtime_error("bridge " + bridge + " does not exist and createbridge=off; create it or set createbridge=on");
  ip_lines({"link add name " + bridge + " type bridge", "link set dev " + bridge + " alias " + kIocellBridge, "link set dev " + bridge + " up"});
  if (m_host.log) m_host.log->info("created bridge {} for {} (deleted once no jail uses it)", bridge, spec.uuid);
}

VnetBridge::Port VnetBridge::vlan_port(const sdk::JailSpec& spec, const std::string& bridge, int vid, const std::string& host_end) {
  sdk::Command probe{"ip", "-d", "link", "show", "dev", bridge};
  probe.read_only = true;
  // Under --dry-run a bridge iocell would create does not exist yet: the
  // plan shows it filtering, as it would on a kernel that can.
  const std::string details = m_host.dry_run && !link_exists(bridge)
                                  ? std::string(" vlan_filtering 0 vlan_default_pvid 1 \n    alias ") + kIocellBridge
                                  : m_host.runner->check(probe).out;
  const VlanPlan plan = plan_vlan_port(details, bridge, vid, host_end, kIocellBridge);
  if (plan.turn_filtering_on) {
    ip_lines({"link set dev " + bridge + " type bridge vlan_filtering 1"});
    if (m_host.log) m_host.log->info("turned VLAN filtering on for bridge {} (iocell created it)", bridge);
  }
  if (plan.own_vlan_bridge) ensure_bridge(spec, plan.join);
  return {plan.join, plan.port_setup};
}

void VnetBridge::delete_host_ends(const sdk::JailSpec& spec) {
  std::vector<std::string> lines;
  for (const auto& vi : parse_interfaces(spec.props.get("interfaces"))) {
    const std::string vh = host_ifname(spec.uuid, vi.index);
    if (m_host.dry_run || link_exists(vh)) lines.push_back("link del dev " + vh);
  }
  if (lines.empty()) return;
  if (m_host.dry_run) {
    ip_lines(lines);
    return;
  }
  // -force: one end already gone (the jail's namespace took it) must not
  // keep the others.
  sdk::Command cmd{"ip", "-force", "-batch", "-"};
  std::string input;
  for (const auto& l : lines) input += l + "\n";
  cmd.stdin_data = input;
  m_host.runner->run(cmd);
}

void VnetBridge::detach(const sdk::JailSpec& spec, const sdk::RunState&) { delete_host_ends(spec); }

void VnetBridge::cleanup(const sdk::JailSpec& spec) {
  delete_host_ends(spec);
  if (m_host.dry_run) return;
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path("/run/netns") / netns_name(spec.uuid), ec))
    m_host.runner->run({"ip", "netns", "delete", netns_name(spec.uuid)});
  FileLock lock(lock_file());
  std::vector<std::string> bridges;
  const auto consider = [&](const std::string& br) {
    if (link_exists(br) && std::find(bridges.begin(), bridges.end(), br) == bridges.end()) bridges.push_back(br);
  };
  const auto nics = parse_interfaces(spec.props.get("interfaces"));
  for (const auto& vi : nics) consider(vi.bridge);
  // The VLANs' own bridges (kernels without VLAN filtering), made at start.
  for (const auto& br : sdk::vnet::vlan_bridges_of(spec.props.get("vlans"), nics)) consider(br);
  if (bridges.empty()) return;
  const auto links = parse_links(m_host.runner->check({"ip", "-o", "-d", "link", "show"}).out);
  for (const auto& br : bridges) {
    auto it = std::find_if(links.begin(), links.end(), [&](const LinkInfo& l) { return l.name == br; });
    if (it == links.end() || it->alias != kIocellBridge) continue;
    if (std::any_of(links.begin(), links.end(), [&](const LinkInfo& l) { return l.master == br; })) continue;
    m_host.runner->run({"ip", "link", "del", "dev", br});
    if (m_host.log) m_host.log->info("deleted bridge {}: iocell created it and no jail uses it any more", br);
  }
}

}  // namespace iocell::plugins::linux_net
