#include "linux_shared_ip.hpp"

#include <algorithm>
#include <sstream>

#include <spdlog/spdlog.h>

#include <iocell/sdk/ip6_autoconf.hpp>
#include <iocell/sdk/vnet.hpp>

#include "host_net.hpp"
#include "net_names.hpp"
#include "routed_ip.hpp"

namespace iocell::plugins::linux_net {

namespace {

std::optional<SharedIp::Alias> parse_line(const std::string& l) {
  size_t sp = l.find(' '), slash = l.rfind('/');
  if (sp == std::string::npos || slash == std::string::npos || slash < sp) return std::nullopt;
  try {
    return SharedIp::Alias{l.substr(0, sp), l.substr(sp + 1, slash - sp - 1), std::stoi(l.substr(slash + 1))};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

// prepare() and attach_routed() record what each running jail holds: an
// alias still on its interface, or a routed address whose host end still
// exists, is that jail's. The record of a jail that died is no claim.
std::optional<std::string> SharedIp::jail_holding(const std::string& address, const std::string& self) const {
  static const std::string routed_suffix = ".routed";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(m_host.root / ".run" / "shared-ip", ec)) {
    const std::string name = e.path().filename().string();
    const bool routed = name.size() > routed_suffix.size() &&
                        name.compare(name.size() - routed_suffix.size(), routed_suffix.size(), routed_suffix) == 0;
    const std::string uuid = routed ? name.substr(0, name.size() - routed_suffix.size()) : name;
    if (uuid == self) continue;
    bool alive = false, holds = false;
    for (const auto& l : read_lines(e.path())) {
      if (!routed) {
        auto al = parse_line(l);
        if (al && al->address == address && interface_with_address(address) == al->iface) return uuid;
        continue;
      }
      std::istringstream in(l);
      std::string kind, a, b;
      in >> kind >> a >> b;
      if (kind == "link" && link_exists(a)) alive = true;
      if (kind == "proxy" && b == address) holds = true;
    }
    if (alive && holds) return uuid;
  }
  return std::nullopt;
}

void SharedIp::refuse_if_another_jail_holds(const Alias& al, const sdk::JailSpec& spec) const {
  if (auto other = jail_holding(al.address, spec.uuid))
    throw std::runtime_error("address " + al.address + " is already used by jail " + *other + ", which is running; refusing to start " +
                             spec.uuid + " (two jails cannot share an address: choose another one, or stop " + *other + ")");
}

bool SharedIp::inherits(const sdk::JailSpec& spec) {
  return spec.props.get("ip4") == "inherit" || spec.props.get("ip6") == "inherit";
}

std::vector<RoutedAddress> SharedIp::routed(const sdk::JailSpec& spec) {
  std::vector<RoutedAddress> out;
  for (const auto& al : wanted(spec)) out.push_back({al.iface, al.address, al.len, al.address.find(':') != std::string::npos});
  return out;
}

std::vector<SharedIp::Alias> SharedIp::wanted(const sdk::JailSpec& spec) {
  auto& run = *m_host.runner;
  std::vector<Alias> wanted;
  for (const bool v6 : {false, true}) {
    const char* mode = v6 ? "ip6" : "ip4";
    const char* prop = v6 ? "ip6_addr" : "ip4_addr";
    const auto list = sdk::parse_ip_list(spec.props.get(prop));
    if (spec.props.get(mode) == "disable" && !list.empty())
      throw std::runtime_error(std::string(mode) + "=disable but " + prop + " is '" + spec.props.get(prop) +
                               "': set " + prop + "=none, or " + mode + "=new to give the jail these addresses");
    for (const auto& a : list) {
      if (a.interface.empty()) {
        // In its own namespace an address needs an interface to live on.
        if (inherits(spec)) continue;
        throw std::runtime_error(std::string(prop) + " item '" + a.address + "' names no interface: write IF|" + a.address +
                                 " (or DEFAULT|" + a.address + "), or set " + mode + "=inherit to share the host's stack");
      }
      Alias al{a.interface, a.address, a.prefix_len < 0 ? (v6 ? 128 : 32) : a.prefix_len};
      if (al.iface == "DEFAULT") {
        auto res = run.check({"ip", v6 ? "-6" : "-4", "route", "show", "default"});
        al.iface = route_device(res.out);
        if (al.iface.empty() && !m_host.dry_run)
          throw std::runtime_error(std::string("ip") + (v6 ? "6" : "4") + "_addr uses DEFAULT but the host has no " +
                                   (v6 ? "IPv6" : "IPv4") + " default route");
      }
      wanted.push_back(al);
    }
  }
  return wanted;
}

void SharedIp::prepare(sdk::JailSpec& spec) {
  sdk::refuse_ip6_autoconf(spec.props);
  sdk::vnet::refuse_vlans_without_vnet(spec.props);
  auto& run = *m_host.runner;
  const auto wanted = this->wanted(spec);
  if (!inherits(spec)) {
    for (const auto& al : wanted) {
      if (m_host.dry_run) continue;
      refuse_if_another_jail_holds(al, spec);
      if (!link_exists(al.iface))
        throw std::runtime_error("interface " + al.iface + " of " + al.address + " does not exist on this host");
      if (auto holder = interface_with_address(al.address))
        throw std::runtime_error("address " + al.address + " is already on " + *holder + " of the host; refusing to start " +
                                 spec.uuid + " (a jail must not take over a host address: choose another one)");
    }
    return;
  }
  if (m_host.dry_run) {
    for (const auto& al : wanted) run.run({"ip", "addr", "add", al.address + "/" + std::to_string(al.len), "dev", al.iface});
    return;
  }
  // What a previous run recorded and the host still holds is ours (a crash
  // between start and stop); anything else on the host is not.
  std::vector<std::string> ours;
  for (const auto& l : read_lines(record(spec))) {
    auto al = parse_line(l);
    auto holder = al ? interface_with_address(al->address) : std::nullopt;
    if (holder && *holder == al->iface) ours.push_back(l);
  }
  write_lines(record(spec), ours);
  for (const auto& al : wanted) {
    if (std::find(ours.begin(), ours.end(), al.line()) != ours.end()) continue;
    refuse_if_another_jail_holds(al, spec);
    if (!link_exists(al.iface))
      throw std::runtime_error("interface " + al.iface + " of " + al.address + " does not exist on this host");
    if (auto holder = interface_with_address(al.address))
      throw std::runtime_error("address " + al.address + " is already on " + *holder +
                               " and iocell did not put it there; refusing to start " + spec.uuid +
                               " (a shared-IP jail must not take over a host address: choose another one)");
    run.check({"ip", "addr", "add", al.address + "/" + std::to_string(al.len), "dev", al.iface});
    ours.push_back(al.line());
    write_lines(record(spec), ours);
  }
}

void SharedIp::attach(const sdk::JailSpec& spec, const sdk::RunState& state) {
  if (inherits(spec)) return;
  const auto addresses = routed(spec);
  if (addresses.empty()) return;
  if (state.jid <= 0 && !m_host.dry_run) throw std::runtime_error("shared-ip needs the jail's init to attach " + spec.name);
  attach_routed(m_host, spec, state.jid, addresses, routed_record(spec));
}

void SharedIp::detach(const sdk::JailSpec& spec, const sdk::RunState&) { remove_routed(m_host, spec, routed_record(spec)); }

void SharedIp::cleanup(const sdk::JailSpec& spec) {
  if (m_host.dry_run) return;
  remove_routed(m_host, spec, routed_record(spec));
  std::vector<std::string> left;
  for (const auto& l : read_lines(record(spec))) {
    auto al = parse_line(l);
    if (!al) continue;
    auto holder = interface_with_address(al->address);
    if (!holder || *holder != al->iface) continue;
    auto res = m_host.runner->run({"ip", "addr", "del", al->address + "/" + std::to_string(al->len), "dev", al->iface});
    if (!res.ok() && interface_with_address(al->address)) {
      left.push_back(l);
      m_host.log->warn("cannot remove {} from {}: {}", al->address, al->iface, res.err);
    }
  }
  write_lines(record(spec), left);
  if (!left.empty()) throw std::runtime_error("addresses of " + spec.uuid + " are still on the host: " + left.front());
}

}  // namespace iocell::plugins::linux_net
