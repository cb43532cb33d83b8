#include "jail_devfs.hpp"

#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

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

// devfs(8) path patterns (fnmatch over the path below /dev) per grant: the
// bpf clones, the tun clones, and vmm(4)'s control node and per-VM nodes.
std::vector<std::string> patterns(unsigned grants) {
  std::vector<std::string> out;
  if (grants & kGrantBpf) out.push_back("bpf*");
  if (grants & kGrantTun) out.push_back("tun*");
  if (grants & kGrantVmm) {
    out.push_back("vmmctl");
    out.push_back("vmm");
    out.push_back("vmm/*");
  }
  return out;
}

std::string names(unsigned grants) {
  std::string out;
  for (const auto& [bit, name] : {std::pair{kGrantBpf, "bpf"}, std::pair{kGrantTun, "tun"}, std::pair{kGrantVmm, "vmm"}})
    if (grants & bit) out += (out.empty() ? "" : "+") + std::string(name);
  return out;
}

}  // namespace

int derived_ruleset_number(const DerivedRuleset& r) {
  if (r.base <= 0 || r.base > kDerivedBaseLast)
    throw std::runtime_error(names(r.grants) + " devices need devfs_ruleset between 1 and " + std::to_string(kDerivedBaseLast) +
                             " (it is " + std::to_string(r.base) + "): iocell adds them to a copy of that ruleset numbered from " +
                             std::to_string(kDerivedRulesetFirst));
  return kDerivedRulesetFirst + 100 * static_cast<int>(r.grants - 1) + r.base;
}

std::optional<DerivedRuleset> derived_ruleset_of(int number) {
  if (number < kDerivedRulesetFirst || number > kDerivedRulesetLast) return std::nullopt;
  const int offset = number - kDerivedRulesetFirst;
  DerivedRuleset r{offset % 100, static_cast<unsigned>(offset / 100 + 1)};
  if (r.base == 0 || r.grants > kGrantAll) return std::nullopt;
  return r;
}

std::string derived_ruleset_rules(const DerivedRuleset& r) {
  // devfs rule show prints "NUM conditions actions" (sbin/devfs/rule.c rulespec_outfp).
  std::string out = "100 include " + std::to_string(r.base) + "\n";
  int rule = 200;
  for (const auto& p : patterns(r.grants)) {
    out += std::to_string(rule) + " path " + p + " unhide\n";
    rule += 100;
  }
  return out;
}

int ensure_derived_ruleset(sdk::CommandRunner& run, const DerivedRuleset& r, bool dry_run) {
  const int n = derived_ruleset_number(r);
  const std::string num = std::to_string(n);
  std::set<int> sets = parse_showsets(run.check({"devfs", "rule", "showsets"}).out);
  if (dry_run && sets.empty()) sets.insert(r.base);
  if (!sets.count(r.base))
    throw std::runtime_error("devfs ruleset " + std::to_string(r.base) + " (devfs_ruleset) does not exist, so " + names(r.grants) +
                             " cannot be added to it: define it in /etc/devfs.rules and run 'service devfs restart', or use 4 (devfsrules_jail)");
  if (sets.count(n)) {
    const std::string have = run.check({"devfs", "rule", "-s", num, "show"}).out;
    if (have == derived_ruleset_rules(r)) return n;
    throw std::runtime_error("devfs ruleset " + num + " exists but was not made by iocell (it holds: " + have + "); iocell keeps rulesets " +
                             std::to_string(kDerivedRulesetFirst) + "-" + std::to_string(kDerivedRulesetLast) +
                             " for jails given devices and never changes one it did not make: renumber yours");
  }
  // Explicit rule numbers make the content exact, so that the check above
  // recognises the ruleset on the next start.
  run.check({"devfs", "rule", "-s", num, "add", "100", "include", std::to_string(r.base)});
  int rule = 200;
  for (const auto& p : patterns(r.grants)) {
    run.check({"devfs", "rule", "-s", num, "add", std::to_string(rule), "path", p, "unhide"});
    rule += 100;
  }
  return n;
}

}  // namespace iocell::plugins::jail
