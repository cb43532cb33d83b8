#include "fbsd_shared_ip.hpp"

#include <spdlog/spdlog.h>

#include <iocell/sdk/ip6_autoconf.hpp>
#include <iocell/sdk/vnet.hpp>

#include <stdexcept>

#include "fbsd_net_parse.hpp"

namespace iocell::plugins::freebsd_net {

namespace {

struct Family {
  const char* mode;     // ip4 / ip6 property and jail(8) parameter
  const char* addrs;    // ip4_addr / ip6_addr
  const char* saddrsel;
  const char* inet;     // ifconfig address family word
  bool v6;
};
constexpr Family kFamilies[] = {{"ip4", "ip4_addr", "ip4_saddrsel", "inet", false},
                                {"ip6", "ip6_addr", "ip6_saddrsel", "inet6", true}};

// ifconfig's words for an address or interface that is not there.
bool already_gone(const std::string& err) {
  return err.find("Can't assign requested address") != std::string::npos || err.find("does not exist") != std::string::npos;
}

}  // namespace

std::string SharedIp::resolve(const std::string& iface, bool v6) {
  if (iface != "DEFAULT") return iface;
  sdk::Command cmd = v6 ? sdk::Command{"route", "-n", "get", "-inet6", "default"} : sdk::Command{"route", "-n", "get", "default"};
  auto res = m_host.runner->run(cmd);
  std::string found = res.ok() ? parse_route_interface(res.out) : "";
  if (found.empty() && m_host.dry_run) return iface;  // --dry-run answers nothing
  if (found.empty())
    throw std::runtime_error(std::string("DEFAULT in ") + (v6 ? "ip6_addr" : "ip4_addr") +
                             " means the interface of the default route, and this host has no " + (v6 ? "IPv6 " : "IPv4 ") +
                             "default route: name the interface instead (em0|ADDRESS)");
  return found;
}

void SharedIp::prepare(sdk::JailSpec& spec) {
  sdk::refuse_ip6_autoconf(spec.props);
  sdk::vnet::refuse_vlans_without_vnet(spec.props);
  if (spec.props.enabled("bpf") || spec.props.enabled("dhcp"))
    throw std::runtime_error("bpf=on and dhcp=on need vnet=on: in a shared-IP jail bpf(4) would see the traffic of every host interface");
  for (const auto& f : kFamilies) {
    const std::string mode = spec.props.get(f.mode);
    if (mode == "inherit" || mode == "disable") {
      spec.params.emplace_back(f.mode, mode);
      continue;
    }
    std::string value;
    for (const auto& a : sdk::parse_ip_list(spec.props.get(f.addrs))) {
      std::string item = a.interface.empty() ? "" : resolve(a.interface, f.v6) + "|";
      item += a.address;
      if (a.prefix_len >= 0) item += "/" + std::to_string(a.prefix_len);
      value += (value.empty() ? "" : ",") + item;
    }
    if (value.empty()) continue;
    spec.params.emplace_back(std::string(f.mode) + ".addr", value);
    if (spec.props.get(f.saddrsel) == "0") spec.params.emplace_back(std::string(f.mode) + ".saddrsel", "0");
  }
}

void SharedIp::attach(const sdk::JailSpec& spec, const sdk::RunState& /*state*/) {
  // An IPv6 alias jail(8) just added stays "tentative" until duplicate
  // address detection ends, and a service of exec_start binding it fails.
  // rc.d/jail makes exec.start sleep `sysctl -n net.inet6.ip6.dad_count` + 1
  // seconds first; the core runs exec_start after attach, so the wait is here.
  const std::string mode = spec.props.get("ip6");
  if (mode == "inherit" || mode == "disable") return;
  bool aliased = false;
  for (const auto& a : sdk::parse_ip_list(spec.props.get("ip6_addr"))) aliased = aliased || !a.interface.empty();
  if (!aliased) return;
  long count = 1;  // net.inet6.ip6.dad_count defaults to 1
  auto res = m_host.runner->run({"sysctl", "-n", "net.inet6.ip6.dad_count"});
  try {
    if (res.ok()) count = std::stol(res.out);
  } catch (const std::exception&) {
    // Unreadable: keep the default.
  }
  if (count < 0 || count > 60) count = 1;
  m_host.runner->check({"sleep", std::to_string(count + 1)});
}

void SharedIp::cleanup(const sdk::JailSpec& spec) {
  std::vector<std::string> errors;
  for (const auto& f : kFamilies) {
    const std::string mode = spec.props.get(f.mode);
    if (mode == "inherit" || mode == "disable") continue;
    for (const auto& a : sdk::parse_ip_list(spec.props.get(f.addrs))) {
      if (a.interface.empty()) continue;  // jail(8) added nothing for it
      std::string iface;
      try {
        iface = resolve(a.interface, f.v6);
      } catch (const std::exception& e) {
        errors.push_back(e.what());
        continue;
      }
      sdk::Command cmd{"ifconfig", iface, f.inet, a.address, "-alias"};
      auto res = m_host.runner->run(cmd);
      if (res.ok() || already_gone(res.err)) continue;
      errors.push_back(sdk::CommandFailed(cmd, res).what());
    }
  }
  if (!errors.empty()) {
    std::string msg = "removing the addresses of " + spec.name + " failed:";
    for (const auto& e : errors) msg += "\n  " + e;
    throw std::runtime_error(msg);
  }
}

}  // namespace iocell::plugins::freebsd_net
