// "shared-ip": the jail uses addresses of host interfaces.
//
// prepare() hands jail(8) ip4.addr/ip6.addr in its "IF|ADDR/LEN" form, and
// jail(8) adds the aliases when it creates the jail (freebsd-commands.md §1.3).
// jail -r undoes them only from a config entry, which iocell does not use, so
// cleanup() removes them (`ifconfig IF inet ADDR -alias`), as jail(8) would.
// Like jail(8), it would also remove an address the host had configured
// itself: give such an address without "IF|" so that nobody touches it.
//
// ip4=inherit and ip4=disable pass through; "new" without addresses sends
// nothing, which leaves the jail without addresses of that family (a new
// jail's default) and keeps INET6-less kernels from refusing an ip6 word.
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/network.hpp>

namespace iocell::plugins::freebsd_net {

class SharedIp : public sdk::Network {
 public:
  explicit SharedIp(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "shared-ip"; }
  bool own_stack() const override { return false; }
  void prepare(sdk::JailSpec& spec) override;
  /// Waits out IPv6 duplicate address detection on the aliases jail(8) added.
  void attach(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void detach(const sdk::JailSpec& /*spec*/, const sdk::RunState& /*state*/) override {}
  void cleanup(const sdk::JailSpec& spec) override;

 private:
  /// "DEFAULT" -> the interface of the default route of that family.
  std::string resolve(const std::string& iface, bool v6);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::freebsd_net
