#include "fbsd_vnet_bridge.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include <iocell/sdk/ip6_autoconf.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::freebsd_net {

namespace {

bool gone(const sdk::CommandResult& res) { return res.err.find("does not exist") != std::string::npos; }

// An address without an interface, or with DEFAULT, belongs to the first
// interface; any other name must be one of the jail's.
std::string nic_for(const sdk::IpAssignment& a, const std::vector<VnetInterface>& nics, const char* prop) {
  if (a.interface.empty() || a.interface == "DEFAULT") return nics.front().nic;
  for (const auto& n : nics)
    if (n.nic == a.interface) return n.nic;
  std::string names;
  for (const auto& n : nics) names += (names.empty() ? "" : ", ") + n.nic;
  throw std::runtime_error(std::string(prop) + " names " + a.interface + "|" + a.address + ", but this VNET jail's interfaces are " +
                           names + " (the interfaces property): use one of them, such as " + nics.front().nic + "|" + a.address);
}

std::string with_prefix(const sdk::IpAssignment& a) {
  return a.prefix_len >= 0 ? a.address + "/" + std::to_string(a.prefix_len) : a.address;
}

std::string dhcp_nic(const sdk::JailSpec& spec, const std::vector<VnetInterface>& nics) {
  if (!spec.props.enabled("dhcp")) return "";
  for (const auto& n : nics)
    if (n.nic == "vnet0") return "vnet0";
  return nics.front().nic;
}

// FreeBSD's base system has no DHCPv6 client: IF|DHCP6 runs the dhcpcd
// package's, installed in the jail.
constexpr const char* kDhcp6Client = "usr/local/sbin/dhcpcd";

}  // namespace

void VnetBridge::prepare(sdk::JailSpec& spec) {
  const auto nics = parse_interfaces(spec.props.get("interfaces"));
  sdk::vnet::vlans_of(spec.props.get("vlans"), nics);
  for (const auto& a : sdk::parse_ip_list(spec.props.get("ip4_addr"))) nic_for(a, nics, "ip4_addr");
  for (const auto& a : sdk::parse_ip_list(spec.props.get("ip6_addr"))) {
    const std::string nic = nic_for(a, nics, "ip6_addr");
    std::error_code ec;
    if (a.address == sdk::kDhcp6 && !std::filesystem::exists(std::filesystem::symlink_status(spec.root / kDhcp6Client, ec)))
      throw std::runtime_error("ip6_addr item '" + nic + "|" + a.address + "' needs a DHCPv6 client in the jail, and /" +
                               kDhcp6Client + " is missing in " + spec.root.string() + ": install the dhcpcd package in the jail (pkg -j " +
                               spec.name + " install dhcpcd) or use " + nic + "|" + sdk::kAcceptRtadv + " (SLAAC)");
  }
  spec.params.emplace_back("vnet", "new");
  for (const auto& n : nics) {
    const std::string key = n.nic + "_mac";
    if (spec.props.is_set(key)) {
      split_mac_pair(spec.props.get(key));  // a stored pair must be usable
      continue;
    }
    auto [host, jail] = derive_macs(spec.uuid, n.index);
    spec.props.set(key, host + "," + jail);
  }
}

VnetBridge::Bridge VnetBridge::ensure_bridge(const sdk::JailSpec& spec, const std::string& bridge) {
  auto res = run().run({"ifconfig", bridge});
  if (res.ok()) return {res.out, parse_ifconfig(res.out).mtu, false};
  if (!gone(res)) throw sdk::CommandFailed(sdk::Command{"ifconfig", bridge}, res);
  if (!spec.props.enabled("createbridge"))
    throw std::runtime_error("bridge " + bridge + " (interfaces) does not exist and createbridge=off: create it "
                             "(cloned_interfaces=\"" + bridge + "\" in /etc/rc.conf) or set createbridge=on");
  if (bridge.rfind("bridge", 0) == 0 && bridge.size() > 6 &&
      std::all_of(bridge.begin() + 6, bridge.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    run().check({"ifconfig", bridge, "create"});  // prints nothing when the name is given
  } else {
    const std::string out = run().check({"ifconfig", "bridge", "create"}).out;
    const std::string made = (m_host.dry_run && out.empty()) ? "bridgeN" : parse_bridge_create(out);
    run().check({"ifconfig", made, "name", bridge});
  }
  run().check({"ifconfig", bridge, "description", kIocellBridge, "up"});
  if (m_host.log) m_host.log->info("created bridge {} for {} (it is destroyed once no jail uses it)", bridge, spec.uuid);
  return {"", 0, true};
}

VnetBridge::Port VnetBridge::vlan_port(const sdk::JailSpec& spec, const std::string& bridge, const Bridge& found, int vid,
                                       const std::string& host_end) {
  const std::string id = std::to_string(vid);
  // A bridge just made is read once: whether it can filter shows only there.
  sdk::Command show{"ifconfig", bridge};
  show.read_only = true;
  const std::string out = found.created ? run().check(show).out : found.shown;
  const IfInfo info = parse_ifconfig(out);
  // ifconfig prints the bridge's own flags only where if_bridge has them,
  // and VLAN filtering is one of them (FreeBSD 15).
  const size_t flags_at = out.find("bridge flags=");
  if (flags_at != std::string::npos) {
    const std::string flags = out.substr(flags_at, out.find('\n', flags_at) - flags_at);
    if (flags.find("VLANFILTER") == std::string::npos) {
      // vlanfilter drops the frames of every member without an untagged
      // VLAN: switched on only where no member can be cut off.
      if (info.description != kIocellBridge || !info.members.empty())
        throw std::runtime_error("vlans puts a jail interface on VLAN " + id + " of bridge " + bridge + ", which does not filter VLANs" +
                                 (info.description == kIocellBridge ? " and already has members" : " and which iocell did not create") +
                                 ": turn filtering on (ifconfig " + bridge + " vlanfilter defuntagged 1, and give each uplink its VLANs: "
                                 "ifconfig " + bridge + " iftagged em0 " + id + ") or set vlans=none");
      run().check({"ifconfig", bridge, "vlanfilter", "defuntagged", "1"});
      if (m_host.log) m_host.log->info("turned VLAN filtering on for bridge {} (iocell created it)", bridge);
    }
    return {bridge, {sdk::Command{"ifconfig", bridge, "ifuntagged", host_end, id}}};
  }
  const std::string vlan_bridge = sdk::vnet::vlan_bridge_name(bridge, vid);
  if (!ensure_bridge(spec, vlan_bridge).created) return {vlan_bridge, {}};
  // The VLAN leaves the host tagged on each uplink of the bridge: the
  // members that are not a jail's host end.
  for (const auto& member : info.members) {
    if (is_host_ifname(member)) continue;
    const std::string uplink = member + "." + id;
    if (uplink.size() > sdk::vnet::kMaxIfName)
      throw std::runtime_error("VLAN " + id + " of bridge " + bridge + " needs a vlan(4) interface on " + member + ", and its name " + uplink +
                               " is longer than " + std::to_string(sdk::vnet::kMaxIfName) + " characters");
    run().check({"ifconfig", uplink, "create", "vlan", id, "vlandev", member});
    run().check({"ifconfig", uplink, "description", kIocellBridge, "up"});
    run().check({"ifconfig", vlan_bridge, "addm", uplink});
  }
  return {vlan_bridge, {}};
}

void VnetBridge::attach_one(const sdk::JailSpec& spec, const VnetInterface& vi, int mtu, const Port& port) {
  const auto [host_mac, jail_mac] = split_mac_pair(spec.props.get(vi.nic + "_mac"));
  const std::string made = run().check({"ifconfig", "epair", "create"}).out;
  // --dry-run answers nothing; "epairN" stands for the kernel's choice.
  const std::string a = (m_host.dry_run && made.empty()) ? "epairNa" : parse_epair_create(made);
  const std::string b = a.substr(0, a.size() - 1) + "b";
  const std::string host = host_ifname(spec.uuid, vi.index);
  std::string current = a;  // what to destroy if a step fails
  try {
    run().check({"ifconfig", a, "name", host});
    current = host;
    sdk::Command hcfg{"ifconfig", host, "ether", colon_mac(host_mac)};
    if (mtu > 0) hcfg.argv.insert(hcfg.argv.end(), {"mtu", std::to_string(mtu)});
    hcfg.argv.insert(hcfg.argv.end(), {"description", "iocell " + spec.name + " " + vi.nic, "up"});
    run().check(hcfg);
    run().check({"ifconfig", b, "vnet", spec.name});
    run().check({"jexec", spec.name, "ifconfig", b, "name", vi.nic});
    sdk::Command jcfg{"jexec", spec.name, "ifconfig", vi.nic, "ether", colon_mac(jail_mac)};
    if (mtu > 0) jcfg.argv.insert(jcfg.argv.end(), {"mtu", std::to_string(mtu)});
    jcfg.argv.push_back("up");
    run().check(jcfg);
    run().check({"ifconfig", port.bridge, "addm", host, "up"});
    for (const auto& c : port.after_join) run().check(c);
  } catch (...) {
    run().run({"ifconfig", current, "destroy"});
    throw;
  }
}

void VnetBridge::attach(const sdk::JailSpec& spec, const sdk::RunState& /*state*/) {
  const auto nics = parse_interfaces(spec.props.get("interfaces"));
  const auto vlans = sdk::vnet::vlans_of(spec.props.get("vlans"), nics);
  for (const auto& vi : nics) {
    const Bridge found = ensure_bridge(spec, vi.bridge);
    const auto vlan = std::find_if(vlans.begin(), vlans.end(), [&](const sdk::vnet::Vlan& v) { return v.nic == vi.nic; });
    const Port port =
        vlan == vlans.end() ? Port{vi.bridge, {}} : vlan_port(spec, vi.bridge, found, vlan->vid, host_ifname(spec.uuid, vi.index));
    attach_one(spec, vi, found.mtu, port);
  }
  configure_inside(spec, nics);
}

void VnetBridge::configure_inside(const sdk::JailSpec& spec, const std::vector<VnetInterface>& nics) {
  const std::string& j = spec.name;
  const std::string dhcp = dhcp_nic(spec, nics);
  run().check({"jexec", j, "ifconfig", "lo0", "inet", "127.0.0.1/8", "up"});
  for (const auto& a : sdk::parse_ip_list(spec.props.get("ip4_addr"))) {
    const std::string nic = nic_for(a, nics, "ip4_addr");
    if (nic == dhcp) {
      if (m_host.log) m_host.log->warn("{}: dhcp=on configures {}; ignoring {} from ip4_addr", spec.uuid, nic, a.address);
      continue;
    }
    run().check({"jexec", j, "ifconfig", nic, "inet", with_prefix(a), "alias"});
  }
  std::vector<std::string> slaac, dhcp6;
  for (const auto& a : sdk::parse_ip_list(spec.props.get("ip6_addr"))) {
    const std::string nic = nic_for(a, nics, "ip6_addr");
    if (a.address == sdk::kAcceptRtadv) slaac.push_back(nic);
    else if (a.address == sdk::kDhcp6) dhcp6.push_back(nic);
    else run().check({"jexec", j, "ifconfig", nic, "inet6", with_prefix(a), "alias"});
  }
  if (spec.props.is_set("defaultrouter") && dhcp.empty())
    run().check({"jexec", j, "route", "add", "default", spec.props.get("defaultrouter")});
  if (spec.props.is_set("defaultrouter6")) {
    std::string gw = spec.props.get("defaultrouter6");
    // A link-local router is only reachable through a named interface.
    std::string low = gw;
    std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (low.rfind("fe80:", 0) == 0 && gw.find('%') == std::string::npos) gw += "%" + nics.front().nic;
    run().check({"jexec", j, "route", "-6", "add", "default", gw});
  }
  if (!dhcp.empty()) {
    write_rc_conf(spec, {{"ifconfig_" + dhcp, "DHCP"}});
    sdk::Command cmd{"jexec", j, "dhclient", dhcp};
    cmd.timeout = std::chrono::seconds(120);
    run().check(cmd);
  }
  // SLAAC: the interface takes router advertisements (a new VNET interface
  // starts with IPv6 disabled), rc.conf keeps it so and runs rtsold for the
  // jail's life, and one rtsol gets the first prefix now.
  for (const auto& nic : slaac) {
    run().check({"jexec", j, "ifconfig", nic, "inet6", "-ifdisabled", "accept_rtadv"});
    write_rc_conf(spec, {{"ifconfig_" + nic + "_ipv6", "inet6 accept_rtadv"}, {"rtsold_enable", "YES"}});
    sdk::Command cmd{"jexec", j, "rtsol", nic};
    cmd.timeout = std::chrono::seconds(60);
    run().check(cmd);
  }
  // DHCPv6: dhcpcd -6 handles the router advertisements itself and goes to
  // the background once the interface is configured.
  for (const auto& nic : dhcp6) {
    run().check({"jexec", j, "ifconfig", nic, "inet6", "-ifdisabled"});
    sdk::Command cmd{"jexec", j, std::string("/") + kDhcp6Client, "-6", nic};
    cmd.timeout = std::chrono::seconds(120);
    run().check(cmd);
  }
}

void VnetBridge::write_rc_conf(const sdk::JailSpec& spec, const std::vector<std::pair<std::string, std::string>>& settings) {
  if (m_host.dry_run) return;
  // The jail's root owns every path below it: SafeRoot never follows its links.
  sdk::SafeRoot root(spec.root);
  std::string old;
  root.read_file("etc/rc.conf", old);
  std::istringstream in(old);
  std::string line, out;
  while (std::getline(in, line)) {
    const bool replaced = std::any_of(settings.begin(), settings.end(),
                                      [&](const auto& kv) { return line.rfind(kv.first + "=", 0) == 0; });
    if (!replaced) out += line + "\n";
  }
  for (const auto& [key, value] : settings) out += key + "=\"" + value + "\"\n";
  if (out != old) root.write_file("etc/rc.conf", out, 0644);
}

void VnetBridge::detach(const sdk::JailSpec& spec, const sdk::RunState& /*state*/) {
  std::vector<std::string> errors;
  for (const auto& vi : parse_interfaces(spec.props.get("interfaces"))) {
    sdk::Command cmd{"ifconfig", host_ifname(spec.uuid, vi.index), "destroy"};
    auto res = run().run(cmd);
    if (!res.ok() && !gone(res)) errors.push_back(sdk::CommandFailed(cmd, res).what());
  }
  if (!errors.empty()) {
    std::string msg = "removing the interfaces of " + spec.name + " failed:";
    for (const auto& e : errors) msg += "\n  " + e;
    throw std::runtime_error(msg);
  }
}

void VnetBridge::cleanup(const sdk::JailSpec& spec) {
  const auto nics = parse_interfaces(spec.props.get("interfaces"));
  const auto names = split_words(run().check({"ifconfig", "-l"}).out);
  auto present = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  std::vector<std::string> errors;
  for (const auto& vi : nics) {
    const std::string host = host_ifname(spec.uuid, vi.index);
    if (!present(host)) continue;
    sdk::Command cmd{"ifconfig", host, "destroy"};
    auto res = run().run(cmd);
    if (!res.ok() && !gone(res)) errors.push_back(sdk::CommandFailed(cmd, res).what());
  }
  std::vector<std::string> bridges;
  for (const auto& vi : nics) bridges.push_back(vi.bridge);
  // The VLANs' own bridges (FreeBSD 14), made at start.
  for (auto& b : sdk::vnet::vlan_bridges_of(spec.props.get("vlans"), nics)) bridges.push_back(std::move(b));
  std::set<std::string> seen;
  for (const auto& br : bridges)
    if (seen.insert(br).second && present(br)) destroy_if_unused(br, errors);
  if (!errors.empty()) {
    std::string msg = "cleaning up the network of " + spec.name + " failed:";
    for (const auto& e : errors) msg += "\n  " + e;
    throw std::runtime_error(msg);
  }
}

void VnetBridge::destroy_if_unused(const std::string& bridge, std::vector<std::string>& errors) {
  auto res = run().run({"ifconfig", bridge});
  if (!res.ok()) return;
  const IfInfo info = parse_ifconfig(res.out);
  if (info.description != kIocellBridge) return;
  for (const auto& member : info.members) {
    if (is_host_ifname(member)) return;
    auto m = run().run({"ifconfig", member});
    if (!m.ok() || parse_ifconfig(m.out).description != kIocellBridge) return;
  }
  std::vector<std::string> doomed = info.members;
  doomed.push_back(bridge);
  for (const auto& name : doomed) {
    sdk::Command cmd{"ifconfig", name, "destroy"};
    auto d = run().run(cmd);
    if (!d.ok() && !gone(d)) errors.push_back(sdk::CommandFailed(cmd, d).what());
  }
}

}  // namespace iocell::plugins::freebsd_net
