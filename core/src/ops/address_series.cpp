#include <iocell/core/ops/address_series.hpp>

#include <arpa/inet.h>

#include <array>
#include <cstdint>

#include <iocell/core/errors.hpp>
#include <iocell/sdk/properties.hpp>

namespace iocell::core {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

struct Family {
  int af;
  int bits;          // address length
  int default_len;   // range assumed when the value gives no prefix length
  bool skip_broadcast;
};

constexpr Family kIpv4{AF_INET, 32, 24, true};
constexpr Family kIpv6{AF_INET6, 128, 64, false};

bool bit(const Bytes& b, int i) { return (b[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1; }

// Adds `by` to the host part (the bits after `len`); false when it does not fit.
bool add_in_prefix(Bytes& b, int bits, int len, std::uint64_t by) {
  std::uint64_t carry = by;
  for (int i = bits - 1; i >= len && carry; --i) {
    const std::uint64_t sum = (bit(b, i) ? 1u : 0u) + (carry & 1u);
    carry >>= 1;
    carry += sum >> 1;
    const auto mask = static_cast<std::uint8_t>(1u << (7 - i % 8));
    if (sum & 1u) b[static_cast<size_t>(i / 8)] |= mask;
    else b[static_cast<size_t>(i / 8)] &= static_cast<std::uint8_t>(~mask);
  }
  return carry == 0;
}

bool host_part_is(const Bytes& b, int bits, int len, bool ones) {
  for (int i = len; i < bits; ++i)
    if (bit(b, i) != ones) return false;
  return true;
}

// Counting up from an address inside the prefix never meets the network
// address; the IPv4 broadcast (a host part of all ones) is the one address
// on the way that no jail may take. /31 and /32 have none.
bool broadcast(const Bytes& b, const Family& f, int len) {
  return f.skip_broadcast && f.bits - len >= 2 && host_part_is(b, f.bits, len, true);
}

std::string text(const Bytes& b, int af) {
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(af, b.data(), buf, sizeof buf);
  return buf;
}

// The addresses of one item for jails 0..count-1.
std::vector<std::string> item_series(const std::string& property, const std::string& value, const sdk::IpAssignment& a,
                                     const Family& f, int count) {
  Bytes start{};
  if (::inet_pton(f.af, a.address.c_str(), start.data()) != 1) return std::vector<std::string>(static_cast<size_t>(count), a.address);
  const int len = a.prefix_len >= 0 ? a.prefix_len : f.default_len;
  std::vector<std::string> out;
  Bytes next = start;
  out.push_back(a.address);
  while (static_cast<int>(out.size()) < count) {
    if (!add_in_prefix(next, f.bits, len, 1)) {
      throw UsageError("invalid " + property + "=" + value + " for count=" + std::to_string(count) + ": only " +
                       std::to_string(out.size()) + " usable address" + (out.size() == 1 ? "" : "es") + " from " +
                       a.address + " to the end of its /" + std::to_string(len) +
                       (f.skip_broadcast ? " (the broadcast address is skipped)" : "") +
                       "; choose a lower start address, a wider prefix or a smaller count");
    }
    if (broadcast(next, f, len)) continue;
    out.push_back(text(next, f.af));
  }
  return out;
}

}  // namespace

std::vector<std::string> address_series(const std::string& property, const std::string& value, int count) {
  const Family& f = property == "ip6_addr" ? kIpv6 : kIpv4;
  std::vector<std::string> values(static_cast<size_t>(count));
  if (value.empty() || value == "none") {
    for (auto& v : values) v = value;
    return values;
  }
  for (const auto& a : sdk::parse_ip_list(value)) {
    const auto series = item_series(property, value, a, f, count);
    for (int i = 0; i < count; ++i) {
      auto& v = values[static_cast<size_t>(i)];
      if (!v.empty()) v += ",";
      if (!a.interface.empty()) v += a.interface + "|";
      v += series[static_cast<size_t>(i)];
      if (a.prefix_len >= 0) v += "/" + std::to_string(a.prefix_len);
    }
  }
  return values;
}

}  // namespace iocell::core
