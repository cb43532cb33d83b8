#include "linux_ns_plugin.hpp"
#include "linux_ns_runtime.hpp"
#include "ns_checks.hpp"

namespace iocell::plugins::linux_ns {

namespace {
std::unique_ptr<sdk::Runtime> make_runtime(const sdk::HostContext& host) { return std::make_unique<LinuxNsRuntime>(host); }
std::unique_ptr<sdk::HostChecker> make_checks(const sdk::HostContext& host) { return std::make_unique<NsChecks>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_runtime("linux-ns", sdk::kLinux, &make_runtime);
  r.add_checker("linux-ns", sdk::kLinux, &make_checks);
}

}  // namespace iocell::plugins::linux_ns
