#include "rctl_checks.hpp"
#include "rctl_limits.hpp"
#include "rctl_plugin.hpp"

namespace iocell::plugins::rctl {

namespace {
std::unique_ptr<sdk::Limits> make_rctl(const sdk::HostContext& host) { return std::make_unique<RctlLimits>(host); }
std::unique_ptr<sdk::HostChecker> make_checks(const sdk::HostContext& host) { return std::make_unique<RctlChecks>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_limits("rctl", sdk::kFreeBSD, &make_rctl);
  r.add_checker("rctl", sdk::kFreeBSD, &make_checks);
}

}  // namespace iocell::plugins::rctl
