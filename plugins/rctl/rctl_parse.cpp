#include "rctl_parse.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <iocell/support/rctl.hpp>

namespace iocell::plugins::rctl {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

const std::vector<std::string>& resources() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& r : support::kRctlResources) out.emplace_back(r.name);
    return out;
  }();
  return names;
}

std::string rctl_amount(const std::string& amount) {
  static const std::regex plain("^([0-9]{1,19})([kKmMgGtTpPeE]?)$");
  static const std::regex general("^([0-9]{1,19})(\\.[0-9]{1,9})?([kKmMgGtTpPeE]?)[bB]?$");
  std::smatch m;
  if (std::regex_match(amount, m, plain)) {
    std::string suffix = m[2].str();
    for (auto& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return m[1].str() + suffix;
  }
  if (!std::regex_match(amount, m, general))
    throw std::runtime_error("invalid rctl amount '" + amount + "': allowed: a number with an optional K, M, G, T, P or E suffix");
  int shift = 0;
  if (!m[3].str().empty()) shift = 10 * (1 + static_cast<int>(std::string("KMGTPE").find(static_cast<char>(std::toupper(m[3].str()[0])))));
  long double value = std::stold(m[1].str() + m[2].str()) * static_cast<long double>(1ULL << shift);
  if (value > 9.2e18L) throw std::runtime_error("rctl amount too large: " + amount);
  return std::to_string(static_cast<unsigned long long>(value));
}

std::vector<std::string> parse_rules(const std::string& out, const std::string& jail_name) {
  const std::string head = "jail:" + jail_name + ":";
  std::vector<std::string> rules;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.rfind(head, 0) != 0) continue;
    std::string rest = line.substr(head.size());
    // resource:action=amount[/per]
    size_t colon = rest.find(':'), eq = rest.find('=');
    if (colon == std::string::npos || eq == std::string::npos || eq < colon || colon == 0 || eq == rest.size() - 1) continue;
    rules.push_back(rest);
  }
  return rules;
}

std::vector<std::pair<std::string, std::string>> parse_usage(const std::string& out) {
  static const std::regex re("^([a-z]+)=([0-9A-Za-z.]+)$");
  std::vector<std::pair<std::string, std::string>> usage;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    std::smatch m;
    if (std::regex_match(line, m, re)) usage.emplace_back(m[1].str(), m[2].str());
  }
  return usage;
}

std::vector<int> parse_cpuset_mask(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    // "jail 5 mask: 0, 1, 2, 3"; 12.0+ adds "jail 5 domain policy: ... mask: 0".
    if (line.find("domain") != std::string::npos) continue;
    size_t pos = line.find(" mask:");
    if (pos == std::string::npos) continue;
    std::vector<int> cpus;
    std::stringstream list(line.substr(pos + 6));
    std::string item;
    while (std::getline(list, item, ',')) {
      item = trim(item);
      if (item.empty()) continue;
      if (item.size() > 5 || !std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
        throw std::runtime_error("cpuset printed a mask iocell cannot read: " + trim(line));
      cpus.push_back(std::stoi(item));
    }
    return cpus;
  }
  throw std::runtime_error("cpuset printed no mask: " + trim(out).substr(0, 200));
}

std::string compress_cpus(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace iocell::plugins::rctl
