#include "routed_ip.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "host_net.hpp"
#include "net_names.hpp"

namespace iocell::plugins::linux_net {

namespace {

// Settings of the host end only, which goes with the jail: the jail's ARP
// for any destination is answered by the host, which forwards what the
// jail sends. The parent's own forwarding stays the administrator's choice.
void set_host_end(const std::string& ifname) {
  for (const char* key : {"ipv4/conf/%s/proxy_arp", "ipv4/conf/%s/forwarding", "ipv6/conf/%s/proxy_ndp"}) {
    char rel[96];
    std::snprintf(rel, sizeof rel, key, ifname.c_str());
    const std::string path = std::string("/proc/sys/net/") + rel;
    sdk::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd && errno == ENOENT && std::strncmp(key, "ipv6", 4) == 0) continue;  // IPv6 disabled on this host
    if (!fd || ::write(fd.get(), "1", 1) != 1)
      throw std::runtime_error("cannot set " + path + ": " + std::strerror(errno));
  }
}

std::vector<std::string> parents_of(const std::vector<RoutedAddress>& addresses) {
  std::vector<std::string> out;
  for (const auto& a : addresses)
    if (std::find(out.begin(), out.end(), a.parent) == out.end()) out.push_back(a.parent);
  return out;
}

}  // namespace

void attach_routed(const sdk::HostContext& host, const sdk::JailSpec& spec, int init,
                   const std::vector<RoutedAddress>& addresses, const std::filesystem::path& record) {
  if (addresses.empty()) return;
  const auto parents = parents_of(addresses);
  std::vector<std::string> outside, inside{"link set dev lo up"};
  for (size_t i = 0; i < parents.size(); ++i) {
    const std::string vh = routed_ifname(spec.uuid, static_cast<int>(i));
    if (!host.dry_run && link_exists(vh)) throw std::runtime_error("interface " + vh + " already exists (is " + spec.uuid + " running twice?)");
    outside.push_back("link add name " + vh + " type veth peer name " + parents[i] + " netns " + std::to_string(init));
    outside.push_back("link set dev " + vh + " up");
    inside.push_back("link set dev " + parents[i] + " up");
  }
  std::vector<std::string> made;
  for (size_t i = 0; i < parents.size(); ++i) made.push_back("link " + routed_ifname(spec.uuid, static_cast<int>(i)));
  for (const auto& a : addresses) made.push_back("proxy " + a.parent + " " + a.address);
  // Written before anything exists, so that a cleanup after a crash at any
  // point below knows what may be there.
  if (!host.dry_run) write_lines(record, made);
  run_ip_lines(host, outside);
  for (size_t i = 0; i < parents.size() && !host.dry_run; ++i) set_host_end(routed_ifname(spec.uuid, static_cast<int>(i)));

  std::vector<std::string> routes;
  bool default4 = false, default6 = false;
  for (const auto& a : addresses) {
    const auto index = std::find(parents.begin(), parents.end(), a.parent) - parents.begin();
    const std::string vh = routed_ifname(spec.uuid, static_cast<int>(index));
    routes.push_back("route add " + a.address + (a.v6 ? "/128" : "/32") + " dev " + vh);
    routes.push_back("neigh add proxy " + a.address + " dev " + a.parent);
    inside.push_back("addr add " + a.address + "/" + std::to_string(a.len) + " dev " + a.parent);
    bool& done = a.v6 ? default6 : default4;
    if (!done) inside.push_back(std::string("route add ") + (a.v6 ? "::/0" : "0.0.0.0/0") + " dev " + a.parent);
    done = true;
  }
  run_ip_lines(host, routes);

  const std::string ns = netns_name(spec.uuid);
  host.runner->check({"ip", "netns", "attach", ns, std::to_string(init)});
  // The name is only a handle for `ip -n`: it goes whether this works or not.
  struct Detach {
    sdk::CommandRunner& r;
    std::string n;
    ~Detach() { r.run({"ip", "netns", "delete", n}); }
  } detach_name{*host.runner, ns};
  run_ip_lines(host, inside, ns);
}

void remove_routed(const sdk::HostContext& host, const sdk::JailSpec& spec, const std::filesystem::path& record) {
  if (host.dry_run) return;
  std::vector<std::string> left;
  for (const auto& l : read_lines(record)) {
    std::istringstream in(l);
    std::string kind, a, b;
    in >> kind >> a >> b;
    // A proxy entry goes with its interface, a host end with the jail's
    // namespace when the init died: neither is an error.
    if (!link_exists(a)) continue;
    sdk::Command cmd = kind == "link" ? sdk::Command{"ip", "link", "del", "dev", a} : sdk::Command{"ip", "neigh", "del", "proxy", b, "dev", a};
    auto res = host.runner->run(cmd);
    if (!res.ok() && (kind == "link" ? link_exists(a) : res.err.find("No such file") == std::string::npos)) left.push_back(l);
  }
  write_lines(record, left);
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path("/run/netns") / netns_name(spec.uuid), ec))
    host.runner->run({"ip", "netns", "delete", netns_name(spec.uuid)});
  if (!left.empty()) throw std::runtime_error("interfaces or proxy entries of " + spec.uuid + " are still on the host: " + left.front());
}

}  // namespace iocell::plugins::linux_net
