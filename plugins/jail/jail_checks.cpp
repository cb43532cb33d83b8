#include "jail_checks.hpp"

#include <set>
#include <sstream>

#include "jail_devfs.hpp"

namespace iocell::plugins::jail {

namespace {
std::string read(sdk::CommandRunner& run, const std::vector<std::string>& argv) {
  sdk::Command cmd(argv);
  cmd.read_only = true;
  return run.run(cmd).out;
}
}  // namespace

std::vector<sdk::HostCheck> JailChecks::checks(const std::vector<sdk::JailSpec>& jails) {
  std::set<int> sets;
  std::istringstream in(read(*m_host.runner, {"devfs", "rule", "showsets"}));
  for (std::string w; in >> w;)
    if (w.find_first_not_of("0123456789") == std::string::npos && w.size() < 9) sets.insert(std::stoi(w));
  std::set<int> named;
  for (const auto& j : jails) named.insert(static_cast<int>(j.props.get_int("devfs_ruleset", 4)));
  std::vector<sdk::HostCheck> out;
  for (int n : named) {
    const bool there = sets.count(n) > 0;
    out.push_back({"devfs ruleset " + std::to_string(n), there, there ? "defined" : "not defined: jails naming it fail to start",
                   "define it in /etc/devfs.rules and run service devfs restart, or set devfs_ruleset=4"});
  }
  for (int n : sets) {
    if (n < kDerivedRulesetFirst || n > kDerivedRulesetLast) continue;
    const auto derived = derived_ruleset_of(n);
    const bool ours = derived && read(*m_host.runner, {"devfs", "rule", "-s", std::to_string(n), "show"}) == derived_ruleset_rules(*derived);
    out.push_back({"devfs ruleset " + std::to_string(n), ours,
                   ours ? "iocell's copy of ruleset " + std::to_string(derived->base) + " with devices added"
                        : "in iocell's range " + std::to_string(kDerivedRulesetFirst) + "-" + std::to_string(kDerivedRulesetLast) +
                              " but not made by iocell: jails given devices (bpf, tun, vmm) over its number fail to start",
                   "renumber that ruleset in /etc/devfs.rules outside " + std::to_string(kDerivedRulesetFirst) + "-" +
                       std::to_string(kDerivedRulesetLast)});
  }
  return out;
}

}  // namespace iocell::plugins::jail
