#include "linux_packages.hpp"
#include "linux_pkg_plugin.hpp"

namespace iocell::plugins::linux_pkg {

namespace {
std::unique_ptr<sdk::Packages> make(const sdk::HostContext& host) { return std::make_unique<LinuxPackages>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_packages("pkg", sdk::kLinux, &make); }

}  // namespace iocell::plugins::linux_pkg
