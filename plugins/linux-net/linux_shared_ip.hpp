// "shared-ip" on Linux (vnet=off). Two modes, as jail(8)'s ip4/ip6:
//
// new/disable (default): the jail has a network namespace of its own
//   (linux-ns makes it) holding its loopback and only the addresses of
//   ip4_addr/ip6_addr, moved in on routed veth pairs (routed_ip.hpp).
//   ip4_addr=none means no IPv4 at all. prepare() refuses an address the
//   host has, an item with no interface, and addresses under disable.
// inherit (ip4 or ip6): the jail shares the host's namespace, and each
//   `IF|ADDR/LEN` becomes an alias on that host interface for as long as
//   the jail runs: prepare() refuses an address the host already has, adds
//   the others with `ip addr add` and records them in
//   <root>/.run/shared-ip/<uuid>; cleanup() removes exactly those. Linux
//   cannot confine a process of the host's namespace to some addresses:
//   such a jail can bind any of the host's (linux-primitives.md, section 4).
//
// DEFAULT means the interface of the default route. Without a length:
// /32 or /128.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/network.hpp>

#include "routed_ip.hpp"

namespace iocell::plugins::linux_net {

class SharedIp : public sdk::Network {
 public:
  explicit SharedIp(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "shared-ip"; }
  bool own_stack() const override { return false; }
  void prepare(sdk::JailSpec& spec) override;
  void attach(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void detach(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void cleanup(const sdk::JailSpec& spec) override;

  struct Alias {
    std::string iface;
    std::string address;
    int len = 0;
    std::string line() const { return iface + " " + address + "/" + std::to_string(len); }
  };

 private:
  static bool inherits(const sdk::JailSpec& spec);
  std::vector<Alias> wanted(const sdk::JailSpec& spec);
  std::vector<RoutedAddress> routed(const sdk::JailSpec& spec);
  /// The UUID of the running jail other than `self` that holds `address`.
  std::optional<std::string> jail_holding(const std::string& address, const std::string& self) const;
  void refuse_if_another_jail_holds(const Alias& al, const sdk::JailSpec& spec) const;
  std::filesystem::path routed_record(const sdk::JailSpec& spec) const {
    return m_host.root / ".run" / "shared-ip" / (spec.uuid + ".routed");
  }
  std::filesystem::path record(const sdk::JailSpec& spec) const { return m_host.root / ".run" / "shared-ip" / spec.uuid; }
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_net
