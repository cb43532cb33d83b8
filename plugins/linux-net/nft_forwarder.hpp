// Port forwarding on Linux through nftables: one table of iocell's own
// (inet iocell) and in it one NAT chain per jail, hooked at prerouting, that
// holds the jail's DNAT rules. Every change is one `nft -f -` transaction
// naming only that table and chain: the host's other tables, and every
// other jail's chain, are never read or written.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/forwarder.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::linux_net {

inline constexpr const char* kNftTable = "iocell";

/// "rdr-<uuid>": the jail's chain in table inet iocell.
std::string nft_chain(const std::string& uuid);
/// The DNAT rule of one entry, in nft syntax, to `target` (the jail's address).
std::string nft_rule(const sdk::forward::Entry& e, const std::string& target);
/// The transaction that (re)creates the jail's chain with these rules.
std::string nft_load_script(const std::string& uuid, const std::vector<std::string>& rules);
/// The transaction that removes the jail's chain, whether it exists or not.
std::string nft_remove_script(const std::string& uuid);

class NftForwarder : public sdk::PortForwarder {
 public:
  explicit NftForwarder(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "nftables"; }
  void add(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void remove(const sdk::JailSpec& spec) override;
  std::vector<std::string> active(const sdk::JailSpec& spec) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_net
