#include "linux-net_plugin.hpp"
#include "linux_shared_ip.hpp"
#include "linux_vnet_bridge.hpp"

namespace iocell::plugins::linux_net {

namespace {
std::unique_ptr<sdk::Network> make_shared(const sdk::HostContext& host) { return std::make_unique<SharedIp>(host); }
std::unique_ptr<sdk::Network> make_vnet(const sdk::HostContext& host) { return std::make_unique<VnetBridge>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_network("shared-ip", sdk::kLinux, &make_shared);
  r.add_network("vnet-bridge", sdk::kLinux, &make_vnet);
}

}  // namespace iocell::plugins::linux_net
