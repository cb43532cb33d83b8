#include "jail_checks.hpp"
#include "jail_plugin.hpp"
#include "jail_runtime.hpp"

namespace iocell::plugins::jail {

namespace {
std::unique_ptr<sdk::Runtime> make_jail(const sdk::HostContext& host) { return std::make_unique<JailRuntime>(host); }
std::unique_ptr<sdk::HostChecker> make_checks(const sdk::HostContext& host) { return std::make_unique<JailChecks>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_runtime("jail", sdk::kFreeBSD, &make_jail);
  r.add_checker("jail", sdk::kFreeBSD, &make_checks);
}

}  // namespace iocell::plugins::jail
