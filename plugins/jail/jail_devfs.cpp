#include "jail_devfs.hpp"

#include <set>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::jail {

namespace {

std::set<int> parse_showsets(const std::string& out) {
  std::set<int> sets;
  std::istringstream in(out);
  std::string word;
  while (in >> word) {
    try {
      size_t used = 0;
      int n = std::stoi(word, &used);
      if (used == word.size()) sets.insert(n);
    } catch (const std::exception&) {
      // devfs prints numbers only; anything else is not a ruleset.
    }
  }
  return sets;
}

}  // namespace

int bpf_ruleset_for(int base) {
  if (base <= 0 || base > kBpfRulesetLast - kBpfRulesetFirst)
    throw std::runtime_error("bpf=on needs devfs_ruleset between 1 and " + std::to_string(kBpfRulesetLast - kBpfRulesetFirst) +
                             " (it is " + std::to_string(base) + "): iocell adds bpf to a copy numbered " +
                             std::to_string(kBpfRulesetFirst) + " + devfs_ruleset");
  return kBpfRulesetFirst + base;
}

std::string bpf_ruleset_rules(int base) {
  // devfs rule show prints "NUM conditions actions" (sbin/devfs/rule.c rulespec_outfp).
  return "100 include " + std::to_string(base) + "\n200 path bpf* unhide\n";
}

int ensure_bpf_ruleset(sdk::CommandRunner& run, int base, bool dry_run) {
  const int n = bpf_ruleset_for(base);
  const std::string num = std::to_string(n);
  std::set<int> sets = parse_showsets(run.check({"devfs", "rule", "showsets"}).out);
  if (dry_run && sets.empty()) sets.insert(base);
  if (!sets.count(base))
    throw std::runtime_error("devfs ruleset " + std::to_string(base) + " (devfs_ruleset) does not exist, so bpf cannot be added to it: "
                             "define it in /etc/devfs.rules and run 'service devfs restart', or use 4 (devfsrules_jail)");
  if (sets.count(n)) {
    const std::string have = run.check({"devfs", "rule", "-s", num, "show"}).out;
    if (have == bpf_ruleset_rules(base)) return n;
    throw std::runtime_error("devfs ruleset " + num + " exists but was not made by iocell (it holds: " + have +
                             "); iocell keeps rulesets " + std::to_string(kBpfRulesetFirst) + "-" + std::to_string(kBpfRulesetLast) +
                             " for bpf and never changes one it did not make: renumber yours");
  }
  // Explicit rule numbers make the content exact, so that the check above
  // recognises the ruleset on the next start.
  run.check({"devfs", "rule", "-s", num, "add", "100", "include", std::to_string(base)});
  run.check({"devfs", "rule", "-s", num, "add", "200", "path", "bpf*", "unhide"});
  return n;
}

}  // namespace iocell::plugins::jail
