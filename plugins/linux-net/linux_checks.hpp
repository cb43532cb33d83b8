// What `iocell doctor` asks of a Linux host's networking when a jail has
// forwards (rdr): nft, and IP forwarding for VNET jails behind a bridge.
#pragma once

#include <vector>

#include <iocell/sdk/doctor.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::linux_net {

class NetChecks : public sdk::HostChecker {
 public:
  explicit NetChecks(const sdk::HostContext& host) : m_host(host) {}
  std::vector<sdk::HostCheck> checks(const std::vector<sdk::JailSpec>& jails) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_net
