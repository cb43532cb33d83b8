#include "linux_ns_plugin.hpp"
#include "linux_ns_runtime.hpp"

namespace iocell::plugins::linux_ns {

namespace {
std::unique_ptr<sdk::Runtime> make_runtime(const sdk::HostContext& host) { return std::make_unique<LinuxNsRuntime>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_runtime("linux-ns", sdk::kLinux, &make_runtime); }

}  // namespace iocell::plugins::linux_ns
