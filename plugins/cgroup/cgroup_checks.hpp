// What `iocell doctor` asks of a Linux host for resource limits: the cgroup
// controllers the jails' limits go through (cg_layout.hpp).
#pragma once

#include <vector>

#include <iocell/sdk/doctor.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::cgroup {

struct Layout;

/// The check from a layout: `limited` says whether a jail asks for limits
/// (without one a missing controller is reported, not failed).
sdk::HostCheck controllers_check(const Layout& layout, bool limited);

class CgroupChecks : public sdk::HostChecker {
 public:
  explicit CgroupChecks(const sdk::HostContext&) {}
  std::vector<sdk::HostCheck> checks(const std::vector<sdk::JailSpec>& jails) override;
};

}  // namespace iocell::plugins::cgroup
