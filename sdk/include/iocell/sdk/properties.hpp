// Effective property values of one jail, as plugins see them: the core has
// already validated every value and merged jail, default and built-in layers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace iocell::sdk {

class PropertyMap {
 public:
  PropertyMap() = default;
  explicit PropertyMap(std::map<std::string, std::string> values) : m_values(std::move(values)) {}

  /// The value, or "" when the property is unknown (plugins ask only for
  /// properties of the core table, so unknown means "not applicable").
  std::string get(const std::string& name) const {
    auto it = m_values.find(name);
    return it == m_values.end() ? std::string() : it->second;
  }
  bool has(const std::string& name) const { return m_values.count(name) != 0; }
  /// on/yes/1/true are true; everything else, including none, is false.
  bool enabled(const std::string& name) const {
    const std::string v = get(name);
    return v == "on" || v == "yes" || v == "1" || v == "true";
  }
  /// "none", "off", "-" and "" mean that the property is not set.
  bool is_set(const std::string& name) const {
    const std::string v = get(name);
    return !(v.empty() || v == "none" || v == "off" || v == "-");
  }
  std::int64_t get_int(const std::string& name, std::int64_t fallback = 0) const {
    const std::string v = get(name);
    try {
      size_t used = 0;
      std::int64_t n = std::stoll(v, &used);
      return used == v.size() ? n : fallback;
    } catch (const std::exception&) {
      return fallback;
    }
  }
  void set(const std::string& name, std::string value) { m_values[name] = std::move(value); }
  const std::map<std::string, std::string>& all() const { return m_values; }

 private:
  std::map<std::string, std::string> m_values;
};

/// One `iface|address/len` element of ip4_addr or ip6_addr.
struct IpAssignment {
  std::string interface;  ///< "em0", "vnet0", or "DEFAULT"
  std::string address;    ///< without the prefix length
  int prefix_len = -1;    ///< -1 when not given
};

/// Splits "em0|10.1.1.10/24,em0|10.1.1.11/24" (already validated by the core).
/// "none" and "" give an empty list.
inline std::vector<IpAssignment> parse_ip_list(const std::string& spec) {
  std::vector<IpAssignment> out;
  if (spec.empty() || spec == "none") return out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      IpAssignment a;
      size_t bar = item.find('|');
      std::string addr = item;
      if (bar != std::string::npos) {
        a.interface = item.substr(0, bar);
        addr = item.substr(bar + 1);
      }
      size_t slash = addr.find('/');
      if (slash != std::string::npos) {
        a.prefix_len = std::stoi(addr.substr(slash + 1));
        addr = addr.substr(0, slash);
      }
      a.address = addr;
      out.push_back(a);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace iocell::sdk
