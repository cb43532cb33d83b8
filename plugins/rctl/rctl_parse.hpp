// Parsers and formatters for rctl(8) and cpuset(1).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace iocell::plugins::rctl {

/// rctl(8) resources in the kernel's order (sys/sys/racct.h).
const std::vector<std::string>& resources();

/// An amount rctl(8) accepts (expand_number(3): digits and one k/m/g/t/p/e
/// suffix). "4G" and "20" pass unchanged (suffix in upper case); "1.5G" or
/// "512MB" become exact integers. Throws on anything else.
std::string rctl_amount(const std::string& amount);

/// "memoryuse:deny=4G" for each line of `rctl [-h] jail:NAME` that is about
/// exactly that jail ("jail:NAME:memoryuse:deny=4G"); other lines are skipped.
std::vector<std::string> parse_rules(const std::string& out, const std::string& jail_name);

/// (resource, amount) for each "resource=amount" line of `rctl -hu`.
std::vector<std::pair<std::string, std::string>> parse_usage(const std::string& out);

/// The CPUs of "jail 5 mask: 0, 1, 2" (`cpuset -g -j 5`). Throws when no
/// mask line is there.
std::vector<int> parse_cpuset_mask(const std::string& out);

/// {0,1,2,3,6} -> "0-3,6"
std::string compress_cpus(std::vector<int> cpus);

}  // namespace iocell::plugins::rctl
