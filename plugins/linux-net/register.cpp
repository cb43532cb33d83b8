#include "linux-net_plugin.hpp"
#include "linux_shared_ip.hpp"
#include "linux_vnet_bridge.hpp"
#include "linux_checks.hpp"
#include "nft_forwarder.hpp"

namespace iocell::plugins::linux_net {

namespace {
std::unique_ptr<sdk::Network> make_shared(const sdk::HostContext& host) { return std::make_unique<SharedIp>(host); }
std::unique_ptr<sdk::Network> make_vnet(const sdk::HostContext& host) { return std::make_unique<VnetBridge>(host); }
std::unique_ptr<sdk::HostChecker> make_checks(const sdk::HostContext& host) { return std::make_unique<NetChecks>(host); }
std::unique_ptr<sdk::PortForwarder> make_nft(const sdk::HostContext& host) { return std::make_unique<NftForwarder>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_network("shared-ip", sdk::kLinux, &make_shared);
  r.add_network("vnet-bridge", sdk::kLinux, &make_vnet);
  r.add_forwarder("nftables", sdk::kLinux, &make_nft);
  r.add_checker("linux-net", sdk::kLinux, &make_checks);
}

}  // namespace iocell::plugins::linux_net
