// "shared-ip" on Linux: the jail shares the host's network namespace, and
// each `IF|ADDR/LEN` of ip4_addr and ip6_addr becomes an address on that
// host interface for as long as the jail runs.
//
// prepare()  refuses an address the host already has (iocell would
//            otherwise remove it at stop), adds the others with
//            `ip addr add`, and writes each one it added to
//            <root>/.run/shared-ip/<uuid> as it goes. DEFAULT means the
//            interface of the default route; no interface means the address
//            is not iocell's to add. Without a length: /32 or /128.
// cleanup()  removes exactly the recorded addresses (absent ones are fine).
// Linux cannot confine a process of the host's namespace to some addresses:
// the jail can bind any of the host's (linux-primitives.md, section 4).
#pragma once

#include <filesystem>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/network.hpp>

namespace iocell::plugins::linux_net {

class SharedIp : public sdk::Network {
 public:
  explicit SharedIp(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "shared-ip"; }
  bool own_stack() const override { return false; }
  void prepare(sdk::JailSpec& spec) override;
  void attach(const sdk::JailSpec&, const sdk::RunState&) override {}
  void detach(const sdk::JailSpec&, const sdk::RunState&) override {}
  void cleanup(const sdk::JailSpec& spec) override;

 private:
  std::filesystem::path record(const sdk::JailSpec& spec) const { return m_host.root / ".run" / "shared-ip" / spec.uuid; }
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_net
