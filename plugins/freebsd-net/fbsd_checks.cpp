#include "fbsd_checks.hpp"

#include <set>
#include <sstream>

#include <iocell/sdk/forwarder.hpp>
#include <iocell/sdk/vnet.hpp>

#include "pf_forwarder.hpp"

namespace iocell::plugins::freebsd_net {

namespace {
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
bool forwards(const sdk::JailSpec& j) {
  const std::string rdr = j.props.get("rdr");
  return !rdr.empty() && rdr != "none";
}
}  // namespace

sdk::CommandResult NetChecks::read(const std::vector<std::string>& argv) {
  sdk::Command cmd(argv);
  cmd.read_only = true;
  return m_host.runner->run(cmd);
}

std::vector<sdk::HostCheck> NetChecks::checks(const std::vector<sdk::JailSpec>& jails) {
  std::vector<sdk::HostCheck> out;
  bool any_forward = false, v4 = false, v6 = false;
  for (const auto& j : jails) {
    if (!forwards(j)) continue;
    any_forward = true;
    // Forwarding between interfaces matters for VNET jails, reached through a bridge.
    if (!j.props.enabled("vnet")) continue;
    try {
      for (const auto& e : sdk::forward::parse(j.props.get("rdr"))) (e.ipv6 ? v6 : v4) = true;
    } catch (const std::exception&) {
      // set refused it already; a hand-edited config shows at start.
    }
  }
  if (any_forward) {
    const auto info = read({"pfctl", "-s", "info"});
    if (!info.ok()) {
      out.push_back({"pf", false, "pfctl -s info failed: " + trimmed(info.err), "kldload pf && sysrc pf_enable=YES && service pf start"});
    } else {
      // One statement each: the order of a call's arguments is unspecified.
      const std::string nat = read({"pfctl", "-s", "nat"}).out;
      const std::string rules = read({"pfctl", "-s", "rules"}).out;
      const auto why = pf_refusal(info.out, nat, rules);
      out.push_back({"pf", why.what.empty(), why.what.empty() ? "enabled, iocell's anchors referenced" : why.what, why.fix});
    }
    for (const auto& [on, name] : {std::pair{v4, "net.inet.ip.forwarding"}, std::pair{v6, "net.inet6.ip6.forwarding"}}) {
      if (!on) continue;
      const std::string value = trimmed(read({"sysctl", "-n", name}).out);
      out.push_back({name, value == "1", value.empty() ? "unknown" : value,
                     std::string("sysctl ") + name + "=1, and " + name + "=1 in /etc/sysctl.conf"});
    }
  }
  std::set<std::string> wanted, creatable;
  for (const auto& j : jails) {
    if (!j.props.enabled("vnet")) continue;
    try {
      for (const auto& i : sdk::vnet::parse_interfaces(j.props.get("interfaces"))) {
        wanted.insert(i.bridge);
        if (j.props.get("createbridge") != "off") creatable.insert(i.bridge);
      }
    } catch (const std::exception&) {
      // Refused at set; shows at start.
    }
  }
  if (!wanted.empty()) {
    std::set<std::string> present;
    std::istringstream in(read({"ifconfig", "-l"}).out);
    for (std::string w; in >> w;) present.insert(w);
    for (const auto& b : wanted) {
      const bool there = present.count(b) > 0;
      out.push_back({"bridge " + b, there || creatable.count(b) > 0,
                     there ? "present" : creatable.count(b) ? "missing, created at the first start (createbridge=on)" : "missing",
                     "ifconfig bridge create name " + b + " (and cloned_interfaces in rc.conf), or set createbridge=on"});
    }
  }
  return out;
}

}  // namespace iocell::plugins::freebsd_net
