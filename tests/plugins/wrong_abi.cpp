// A plugin built for another ABI version: the loader must refuse it without
// calling its register function.
#include <cstdlib>

#include <iocell/sdk/plugin.hpp>

namespace {
void register_all(iocell::sdk::Registrar&) noexcept { std::abort(); }
}  // namespace

extern "C" BOOST_SYMBOL_EXPORT const iocell::sdk::PluginDescriptorV1* iocell_plugin_v1() noexcept {
  static const iocell::sdk::PluginDescriptorV1 d{IOCELL_PLUGIN_ABI_VERSION + 41, sizeof d, "test-wrong-abi", "0",
                                                 IOCELL_SDK_TOOLCHAIN_ID, iocell::sdk::kAnyOs, &register_all};
  return &d;
}
