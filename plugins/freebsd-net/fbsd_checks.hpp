// What `iocell doctor` asks of a FreeBSD host's networking: pf and iocell's
// anchors and IP forwarding when a jail has forwards (rdr), the bridges VNET
// jails name.
#pragma once

#include <vector>

#include <iocell/sdk/doctor.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::freebsd_net {

class NetChecks : public sdk::HostChecker {
 public:
  explicit NetChecks(const sdk::HostContext& host) : m_host(host) {}
  std::vector<sdk::HostCheck> checks(const std::vector<sdk::JailSpec>& jails) override;

 private:
  sdk::CommandResult read(const std::vector<std::string>& argv);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::freebsd_net
