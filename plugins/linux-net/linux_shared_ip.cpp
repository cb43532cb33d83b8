#include "linux_shared_ip.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "host_net.hpp"
#include "net_names.hpp"

namespace iocell::plugins::linux_net {

namespace {

struct Alias {
  std::string iface;
  std::string address;
  int len = 0;
  std::string line() const { return iface + " " + address + "/" + std::to_string(len); }
};

std::optional<Alias> parse_line(const std::string& l) {
  size_t sp = l.find(' '), slash = l.rfind('/');
  if (sp == std::string::npos || slash == std::string::npos || slash < sp) return std::nullopt;
  try {
    return Alias{l.substr(0, sp), l.substr(sp + 1, slash - sp - 1), std::stoi(l.substr(slash + 1))};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

void SharedIp::prepare(sdk::JailSpec& spec) {
  auto& run = *m_host.runner;
  std::vector<Alias> wanted;
  for (const bool v6 : {false, true}) {
    for (const auto& a : sdk::parse_ip_list(spec.props.get(v6 ? "ip6_addr" : "ip4_addr"))) {
      if (a.interface.empty()) continue;
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

void SharedIp::cleanup(const sdk::JailSpec& spec) {
  if (m_host.dry_run) return;
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
