#include "freebsd-net_plugin.hpp"
#include "fbsd_shared_ip.hpp"
#include "fbsd_vnet_bridge.hpp"
#include "fbsd_checks.hpp"
#include "pf_forwarder.hpp"

namespace iocell::plugins::freebsd_net {

namespace {
std::unique_ptr<sdk::Network> make_shared(const sdk::HostContext& host) { return std::make_unique<SharedIp>(host); }
std::unique_ptr<sdk::Network> make_vnet(const sdk::HostContext& host) { return std::make_unique<VnetBridge>(host); }
std::unique_ptr<sdk::HostChecker> make_checks(const sdk::HostContext& host) { return std::make_unique<NetChecks>(host); }
std::unique_ptr<sdk::PortForwarder> make_pf(const sdk::HostContext& host) { return std::make_unique<PfForwarder>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_network("shared-ip", sdk::kFreeBSD, &make_shared);
  r.add_network("vnet-bridge", sdk::kFreeBSD, &make_vnet);
  r.add_forwarder("pf", sdk::kFreeBSD, &make_pf);
  r.add_checker("freebsd-net", sdk::kFreeBSD, &make_checks);
}

}  // namespace iocell::plugins::freebsd_net
