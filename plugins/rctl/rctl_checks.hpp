// What `iocell doctor` asks of a FreeBSD host for resource limits: RACCT
// enabled (kern.racct.enable), without which rctl(8) refuses every rule.
#pragma once

#include <vector>

#include <iocell/sdk/doctor.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::rctl {

class RctlChecks : public sdk::HostChecker {
 public:
  explicit RctlChecks(const sdk::HostContext& host) : m_host(host) {}
  std::vector<sdk::HostCheck> checks(const std::vector<sdk::JailSpec>& jails) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::rctl
