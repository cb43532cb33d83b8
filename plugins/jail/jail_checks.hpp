// What `iocell doctor` asks of a FreeBSD host for jails: the devfs rulesets
// the jails name exist, and every ruleset in iocell's device range
// (kDerivedRulesetFirst-kDerivedRulesetLast) is one iocell made.
#pragma once

#include <vector>

#include <iocell/sdk/doctor.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::jail {

class JailChecks : public sdk::HostChecker {
 public:
  explicit JailChecks(const sdk::HostContext& host) : m_host(host) {}
  std::vector<sdk::HostCheck> checks(const std::vector<sdk::JailSpec>& jails) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::jail
