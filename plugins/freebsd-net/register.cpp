#include "freebsd-net_plugin.hpp"
#include "fbsd_shared_ip.hpp"
#include "fbsd_vnet_bridge.hpp"

namespace iocell::plugins::freebsd_net {

namespace {
std::unique_ptr<sdk::Network> make_shared(const sdk::HostContext& host) { return std::make_unique<SharedIp>(host); }
std::unique_ptr<sdk::Network> make_vnet(const sdk::HostContext& host) { return std::make_unique<VnetBridge>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_network("shared-ip", sdk::kFreeBSD, &make_shared);
  r.add_network("vnet-bridge", sdk::kFreeBSD, &make_vnet);
}

}  // namespace iocell::plugins::freebsd_net
