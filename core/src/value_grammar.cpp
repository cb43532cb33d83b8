#include <iocell/core/value_grammar.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <regex>
#include <string>

#include <iocell/support/rctl.hpp>

namespace iocell::core::grammar {

namespace {

bool whole(std::string_view s, const std::regex& re) { return std::regex_match(s.begin(), s.end(), re); }

}  // namespace

bool ifname(std::string_view s) {
  static const std::regex re("[A-Za-z][A-Za-z0-9_.]{0,14}");
  return whole(s, re);
}

bool hostname(std::string_view s) {
  static const std::regex re("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  return s.size() <= 254 && whole(s, re);
}

bool uuid_prefix(std::string_view s) {
  if (s.empty() || s.size() > 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  }
  return true;
}

bool cpu_list(std::string_view s) {
  static const std::regex re("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");
  return whole(s, re);
}

bool mac_pair(std::string_view s) {
  static const std::regex re("[0-9A-Fa-f]{12},[0-9A-Fa-f]{12}");
  return whole(s, re);
}

bool vnet_interfaces(std::string_view s) {
  static const std::regex re("vnet[0-9]:[A-Za-z][A-Za-z0-9_.]{0,14}(,vnet[0-9]:[A-Za-z][A-Za-z0-9_.]{0,14})*");
  return whole(s, re);
}

bool rctl_action(std::string_view s) {
  if (s == "deny" || s == "log" || s == "devctl" || s == "throttle") return true;
  // Only the signals the kernel knows: any other makes the whole `rctl -a` fail.
  return std::find(std::begin(support::kRctlSignalActions), std::end(support::kRctlSignalActions), s) !=
         std::end(support::kRctlSignalActions);
}

std::optional<SizeParts> size(std::string_view s) {
  static const std::regex re("([0-9]+(?:\\.[0-9]+)?)([KMGTPkmgtp]?)[Bb]?");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(s.begin(), s.end(), m, re)) return std::nullopt;
  const char unit = m[2].length() ? static_cast<char>(std::toupper(static_cast<unsigned char>(*m[2].first))) : '\0';
  return SizeParts{s.substr(0, static_cast<size_t>(m[1].length())), unit};
}

}  // namespace iocell::core::grammar
