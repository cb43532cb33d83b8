#include "nft_forwarder.hpp"

#include <sstream>

namespace iocell::plugins::linux_net {

std::string nft_chain(const std::string& uuid) { return "rdr-" + uuid; }

std::string nft_rule(const sdk::forward::Entry& e, const std::string& target) {
  const std::string family = e.ipv6 ? "ip6" : "ip";
  // The explicit wildcard still names the family: an IPv4 entry never
  // catches IPv6 traffic, nor the reverse.
  const std::string match =
      e.any_address ? std::string("meta nfproto ") + (e.ipv6 ? "ipv6" : "ipv4") : family + " daddr " + e.address;
  const std::string to = e.ipv6 ? "[" + target + "]" : target;
  return "iifname \"" + e.ifname + "\" " + match + " " + e.proto + " dport " + std::to_string(e.host_port) + " dnat " +
         family + " to " + to + ":" + std::to_string(e.jail_port);
}

namespace {
// `add` of a table or chain that exists is no error, so a script may begin
// by declaring what it then flushes or deletes.
std::string declare(const std::string& chain) {
  return std::string("add table inet ") + kNftTable + "\n" + "add chain inet " + kNftTable + " " + chain +
         " { type nat hook prerouting priority dstnat; policy accept; }\n";
}
}  // namespace

std::string nft_load_script(const std::string& uuid, const std::vector<std::string>& rules) {
  const std::string chain = nft_chain(uuid);
  std::string s = declare(chain) + "flush chain inet " + kNftTable + " " + chain + "\n";
  for (const auto& r : rules) s += "add rule inet " + std::string(kNftTable) + " " + chain + " " + r + "\n";
  return s;
}

std::string nft_remove_script(const std::string& uuid) {
  const std::string chain = nft_chain(uuid);
  return declare(chain) + "flush chain inet " + kNftTable + " " + chain + "\n" + "delete chain inet " + kNftTable + " " +
         chain + "\n";
}

void NftForwarder::add(const sdk::JailSpec& spec, const sdk::RunState&) {
  std::vector<std::string> rules;
  for (const auto& e : sdk::forward::parse(spec.props.get("rdr"))) rules.push_back(nft_rule(e, sdk::forward::target_of(spec, e)));
  sdk::Command cmd({"nft", "-f", "-"});
  cmd.stdin_data = nft_load_script(spec.uuid, rules);
  m_host.runner->check(cmd);
}

void NftForwarder::remove(const sdk::JailSpec& spec) {
  sdk::Command cmd({"nft", "-f", "-"});
  cmd.stdin_data = nft_remove_script(spec.uuid);
  m_host.runner->check(cmd);
}

std::vector<std::string> NftForwarder::active(const sdk::JailSpec& spec) {
  sdk::Command cmd({"nft", "list", "chain", "inet", kNftTable, nft_chain(spec.uuid)});
  cmd.read_only = true;
  const auto res = m_host.runner->run(cmd);
  std::vector<std::string> out;
  if (!res.ok()) return out;  // no chain: the jail forwards nothing now
  std::istringstream in(res.out);
  std::string line;
  while (std::getline(in, line)) {
    const size_t start = line.find_first_not_of(" \t");
    if (start != std::string::npos && line.find(" dnat ") != std::string::npos) out.push_back(line.substr(start));
  }
  return out;
}

}  // namespace iocell::plugins::linux_net
