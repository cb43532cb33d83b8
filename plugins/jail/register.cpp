#include "jail_plugin.hpp"
#include "jail_runtime.hpp"

namespace iocell::plugins::jail {

namespace {
std::unique_ptr<sdk::Runtime> make_jail(const sdk::HostContext& host) { return std::make_unique<JailRuntime>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_runtime("jail", sdk::kFreeBSD, &make_jail); }

}  // namespace iocell::plugins::jail
