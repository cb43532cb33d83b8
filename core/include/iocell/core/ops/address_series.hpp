// The addresses of the jails one `create count=N` makes.
#pragma once

#include <string>
#include <vector>

namespace iocell::core {

/// The ip4_addr or ip6_addr value of each of `count` jails: jail i takes,
/// for every address item, the i-th next address inside the item's prefix
/// (IPv4 skips the broadcast address). An item without a prefix length stays
/// inside its /24 (IPv4) or /64 (IPv6). Items that are not addresses
/// (DHCP, accept_rtadv, none) are repeated as they are. Throws UsageError
/// naming the value and the range when the prefix runs out: nothing is
/// made then.
std::vector<std::string> address_series(const std::string& property, const std::string& value, int count);

}  // namespace iocell::core
