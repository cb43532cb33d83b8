// The devfs(8) rulesets iocell makes for jails that need bpf(4) (bpf=on,
// dhcp=on). They live in a range iocell reserves, hold exactly two rules and
// are shared by every jail with the same base ruleset; a ruleset in that
// range with any other content is someone else's and is never touched.
#pragma once

#include <string>

#include <iocell/sdk/command.hpp>

namespace iocell::plugins::jail {

constexpr int kBpfRulesetFirst = 1000;
constexpr int kBpfRulesetLast = 1999;

/// The ruleset iocell uses for bpf on top of `base` (1000 + base). Throws
/// when base does not fit the reserved range.
int bpf_ruleset_for(int base);

/// What `devfs rule -s N show` prints for iocell's bpf ruleset over `base`.
std::string bpf_ruleset_rules(int base);

/// Makes sure the bpf ruleset over `base` exists with iocell's rules
/// (creating it when missing) and returns its number. With `dry_run` the
/// runner answers nothing: the base is taken to exist and the copy not to.
int ensure_bpf_ruleset(sdk::CommandRunner& run, int base, bool dry_run = false);

}  // namespace iocell::plugins::jail
