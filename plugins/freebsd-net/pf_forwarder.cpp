#include "pf_forwarder.hpp"

#include <sstream>
#include <stdexcept>

namespace iocell::plugins::freebsd_net {

std::string pf_anchor(const std::string& uuid) { return "iocell/" + uuid; }

std::vector<std::string> pf_rules(const sdk::forward::Entry& e, const std::string& target) {
  const std::string af = e.ipv6 ? "inet6" : "inet";
  const std::string head = " on " + e.ifname + " " + af + " proto " + e.proto + " from any to ";
  // The explicit wildcard: any destination of that family arriving on the interface.
  const std::string to = e.any_address ? "any" : e.address;
  return {"rdr" + head + to + " port " + std::to_string(e.host_port) + " -> " + target + " port " + std::to_string(e.jail_port),
          "pass in" + head + target + " port " + std::to_string(e.jail_port)};
}

namespace {
bool has_line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return true;
  return false;
}
}  // namespace

PfProblem pf_refusal(const std::string& info, const std::string& nat, const std::string& rules) {
  // pfctl -s info begins "Status: Enabled for 0 days 00:26:05 ..." or "Status: Disabled ...".
  if (info.rfind("Status: Enabled", 0) != 0)
    return {"port forwarding needs pf enabled, and pfctl -s info says '" + info.substr(0, info.find('\n')) + "'",
            "sysrc pf_enable=YES && service pf start"};
  // A reference in pf.conf shows in the main ruleset as `rdr-anchor "iocell/*" all`
  // (pfctl -s nat) and `anchor "iocell/*" all` (pfctl -s rules).
  std::string missing;
  if (!has_line_starting(nat, "rdr-anchor \"iocell/*\"")) missing += "rdr-anchor \"iocell/*\" (with the translation rules)";
  if (!has_line_starting(rules, "anchor \"iocell/*\""))
    missing += std::string(missing.empty() ? "" : " and ") + "anchor \"iocell/*\" (with the filter rules)";
  if (missing.empty()) return {};
  return {"pf's main ruleset does not reference iocell's anchors",
          "add " + missing + " to /etc/pf.conf once, then pfctl -f /etc/pf.conf; iocell never edits the main ruleset"};
}

std::string PfForwarder::read(const std::vector<std::string>& argv) {
  sdk::Command cmd(argv);
  cmd.read_only = true;
  return m_host.runner->check(cmd).out;
}

void PfForwarder::add(const sdk::JailSpec& spec, const sdk::RunState&) {
  std::string rules;
  for (const auto& e : sdk::forward::parse(spec.props.get("rdr")))
    for (const auto& r : pf_rules(e, sdk::forward::target_of(spec, e))) rules += r + "\n";
  // One statement each: the order of a call's arguments is unspecified.
  const std::string info = read({"pfctl", "-s", "info"});
  const std::string nat = read({"pfctl", "-s", "nat"});
  const std::string main_rules = read({"pfctl", "-s", "rules"});
  const auto why = pf_refusal(info, nat, main_rules);
  if (!why.what.empty()) throw std::runtime_error("cannot forward ports to " + spec.uuid + ": " + why.what + ": " + why.fix);
  // -f replaces the anchor's whole ruleset: a restart never doubles the rules.
  sdk::Command load({"pfctl", "-a", pf_anchor(spec.uuid), "-f", "-"});
  load.stdin_data = rules;
  m_host.runner->check(load);
}

void PfForwarder::remove(const sdk::JailSpec& spec) {
  // Flushing an anchor that holds nothing succeeds: a failed start that
  // never loaded it, or a second stop, find nothing to remove.
  m_host.runner->check(sdk::Command({"pfctl", "-a", pf_anchor(spec.uuid), "-F", "all"}));
}

std::vector<std::string> PfForwarder::active(const sdk::JailSpec& spec) {
  std::vector<std::string> out;
  for (const char* what : {"nat", "rules"}) {
    sdk::Command cmd({"pfctl", "-a", pf_anchor(spec.uuid), "-s", what});
    cmd.read_only = true;
    const auto res = m_host.runner->run(cmd);
    if (!res.ok()) continue;
    std::istringstream in(res.out);
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace iocell::plugins::freebsd_net
