#include "oci_plugin.hpp"
#include "oci_type.hpp"

namespace iocell::plugins::oci {

namespace {
std::unique_ptr<sdk::JailType> make(const sdk::HostContext& host) { return std::make_unique<OciJail>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_jail_type("oci", sdk::kAnyOs, &make); }

}  // namespace iocell::plugins::oci
