// The small grammars of property values. Each regex is built by the first
// check that needs it: only `set` and `create` check values.
#pragma once

#include <optional>
#include <string_view>

namespace iocell::core::grammar {

/// [A-Za-z][A-Za-z0-9_.]{0,14}: an interface name (IFNAMSIZ).
bool ifname(std::string_view s);
/// [A-Za-z0-9_][A-Za-z0-9_.-]{0,253}.
bool hostname(std::string_view s);
/// N[-N](,N[-N])*: a cpuset(1) list.
bool cpu_list(std::string_view s);
/// Two 12-digit hex MACs separated by a comma.
bool mac_pair(std::string_view s);
/// vnetN:IFNAME(,vnetN:IFNAME)*, N one digit.
bool vnet_interfaces(std::string_view s);
/// The beginning of a UUID as iocell writes it (lowercase hex, dashes at
/// 8, 13, 18 and 23), up to the whole of one: "c", "cafe", "0a1b2c3d-4".
bool uuid_prefix(std::string_view s);
/// deny, log, devctl, throttle or sigNAME ([a-z0-9]+).
bool rctl_action(std::string_view s);

struct SizeParts {
  std::string_view number;  ///< digits, optionally '.' and more digits
  char unit;                ///< K, M, G, T, P (any case) or '\0'
};
/// N[.N][KMGTP][B], units in either case.
std::optional<SizeParts> size(std::string_view s);

}  // namespace iocell::core::grammar
