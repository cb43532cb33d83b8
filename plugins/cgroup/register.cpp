#include "cgroup_checks.hpp"
#include "cgroup_limits.hpp"
#include "cgroup_plugin.hpp"

namespace iocell::plugins::cgroup {

namespace {
std::unique_ptr<sdk::Limits> make_limits(const sdk::HostContext& host) { return std::make_unique<CgroupLimits>(host); }
std::unique_ptr<sdk::HostChecker> make_checks(const sdk::HostContext& host) { return std::make_unique<CgroupChecks>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_limits("cgroup", sdk::kLinux, &make_limits);
  r.add_checker("cgroup", sdk::kLinux, &make_checks);
}

}  // namespace iocell::plugins::cgroup
