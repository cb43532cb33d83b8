#include "linux_checks.hpp"

#include <fstream>

#include <iocell/sdk/forwarder.hpp>

namespace iocell::plugins::linux_net {

namespace {
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}
}  // namespace

std::vector<sdk::HostCheck> NetChecks::checks(const std::vector<sdk::JailSpec>& jails) {
  bool any = false, v4 = false, v6 = false;
  for (const auto& j : jails) {
    const std::string rdr = j.props.get("rdr");
    if (rdr.empty() || rdr == "none") continue;
    any = true;
    if (!j.props.enabled("vnet")) continue;  // a shared-IP jail's address is the host's own
    try {
      for (const auto& e : sdk::forward::parse(rdr)) (e.ipv6 ? v6 : v4) = true;
    } catch (const std::exception&) {
      // set refused it already; a hand-edited config shows at start.
    }
  }
  sdk::Command cmd({"nft", "--version"});
  cmd.read_only = true;
  const auto res = m_host.runner->run(cmd);
  std::string version = res.out.substr(0, res.out.find('\n'));
  std::vector<sdk::HostCheck> out;
  // Without forwards nft is not needed: its absence is worth a line, not a failure.
  out.push_back({"nftables", res.ok() || !any, res.ok() ? version : std::string("nft not found") + (any ? "" : "; no jail has rdr"),
                 "install nftables (apt install nftables): rdr needs nft"});
  const struct {
    bool on;
    const char* name;
    const char* path;
  } sysctls[] = {{v4, "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward"},
                 {v6, "net.ipv6.conf.all.forwarding", "/proc/sys/net/ipv6/conf/all/forwarding"}};
  for (const auto& s : sysctls) {
    if (!s.on) continue;
    const std::string value = first_line(s.path);
    out.push_back({s.name, value == "1", value.empty() ? "unknown" : value,
                   std::string("sysctl -w ") + s.name + "=1, and the same in /etc/sysctl.d/"});
  }
  return out;
}

}  // namespace iocell::plugins::linux_net
