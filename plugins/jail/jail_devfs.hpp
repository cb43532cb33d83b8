// The devfs(8) rulesets iocell makes for jails that need devices the base
// ruleset hides: bpf(4) (bpf=on, dhcp=on), tun(4) (allow_tun=1) and vmm(4)
// (allow_vmm=1). Each is the base ruleset plus unhide rules for those
// devices. They live in a range iocell reserves and are shared by every jail
// with the same base and devices; a ruleset in that range with any other
// content is someone else's and is never touched.
#pragma once

#include <optional>
#include <string>

#include <iocell/sdk/command.hpp>

namespace iocell::plugins::jail {

constexpr int kDerivedRulesetFirst = 1000;
constexpr int kDerivedRulesetLast = 1999;
/// Bases a derived ruleset can be made over: 100 numbers for each set of devices.
constexpr int kDerivedBaseLast = 99;

/// The devices a jail gets beyond its base ruleset, as bits.
enum DeviceGrant : unsigned { kGrantBpf = 1, kGrantTun = 2, kGrantVmm = 4, kGrantAll = 7 };

/// A derived ruleset: base ruleset plus granted devices.
struct DerivedRuleset {
  int base = 0;
  unsigned grants = 0;
};

/// The ruleset number of (base, grants): 1000 + 100 * (grants - 1) + base.
/// Throws when base is outside 1-99.
int derived_ruleset_number(const DerivedRuleset& r);
/// The (base, grants) a number in iocell's range stands for, if any.
std::optional<DerivedRuleset> derived_ruleset_of(int number);

/// What `devfs rule -s N show` prints for iocell's ruleset.
std::string derived_ruleset_rules(const DerivedRuleset& r);

/// Makes sure the derived ruleset exists with iocell's rules (creating it
/// when missing) and returns its number. With `dry_run` the runner answers
/// nothing: the base is taken to exist and the copy not to.
int ensure_derived_ruleset(sdk::CommandRunner& run, const DerivedRuleset& r, bool dry_run = false);

}  // namespace iocell::plugins::jail
