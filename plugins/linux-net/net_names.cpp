#include "net_names.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::linux_net {

namespace {

bool is_hex(const std::string& s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

std::vector<VnetInterface> parse_interfaces(const std::string& value) {
  std::vector<VnetInterface> out;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t colon = item.find(':');
    const std::string nic = item.substr(0, colon);
    if (colon == std::string::npos || nic.size() != 5 || nic.rfind("vnet", 0) != 0 || !std::isdigit(static_cast<unsigned char>(nic[4])) ||
        colon + 1 >= item.size())
      throw std::runtime_error("invalid interfaces item '" + item + "': allowed: vnetN:BRIDGE with N from 0 to 9");
    VnetInterface vi{nic, nic[4] - '0', item.substr(colon + 1)};
    if (vi.bridge.size() > 15) throw std::runtime_error("bridge name '" + vi.bridge + "' is longer than 15 characters");
    for (const auto& other : out)
      if (other.index == vi.index) throw std::runtime_error("interfaces names " + nic + " twice");
    out.push_back(vi);
  }
  return out;
}

std::string uuid_tag(const std::string& uuid) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : lower(uuid)) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>((h >> 32) ^ (h & 0xffffffffULL)));
  return buf;
}

std::pair<std::string, std::string> derive_macs(const std::string& uuid, int index) {
  if (index < 0 || index > 9) throw std::runtime_error("cannot derive a MAC for vnet" + std::to_string(index) + ": N goes from 0 to 9");
  char host[3], jail[3];
  std::snprintf(host, sizeof host, "%02x", 2 * index);
  std::snprintf(jail, sizeof jail, "%02x", 2 * index + 1);
  const std::string base = "02" + uuid_tag(uuid);
  return {base + host, base + jail};
}

std::string colon_mac(const std::string& mac12) {
  if (mac12.size() != 12 || !is_hex(mac12)) throw std::runtime_error("invalid MAC '" + mac12 + "': allowed: 12 hex digits");
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (i) out += ':';
    out += lower(mac12.substr(i, 2));
  }
  return out;
}

std::pair<std::string, std::string> split_mac_pair(const std::string& value) {
  size_t comma = value.find(',');
  if (comma == std::string::npos)
    throw std::runtime_error("invalid MAC pair '" + value + "': allowed: HOSTMAC,JAILMAC (12 hex digits each)");
  std::string a = value.substr(0, comma), b = value.substr(comma + 1);
  colon_mac(a);
  colon_mac(b);
  if (lower(a) == lower(b)) throw std::runtime_error("invalid MAC pair '" + value + "': both ends have the same MAC");
  return {lower(a), lower(b)};
}

std::string host_ifname(const std::string& uuid, int index) { return "vnet" + std::to_string(index) + "_" + uuid_tag(uuid); }

std::string netns_name(const std::string& uuid) { return "iocell-" + uuid; }

std::string route_device(const std::string& out) {
  std::istringstream in(out);
  std::string w;
  while (in >> w) {
    if (w == "dev" && (in >> w)) return w;
  }
  return "";
}

std::vector<LinkInfo> parse_links(const std::string& out) {
  std::vector<LinkInfo> links;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    // `ip -o` joins an interface's lines with a backslash.
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
      size_t bs = line.find('\\', start);
      parts.push_back(line.substr(start, bs == std::string::npos ? std::string::npos : bs - start));
      if (bs == std::string::npos) break;
      start = bs + 1;
    }
    const std::string& head = parts[0];
    size_t c1 = head.find(": ");
    if (c1 == std::string::npos) continue;
    size_t c2 = head.find(':', c1 + 2);
    if (c2 == std::string::npos) continue;
    LinkInfo li;
    li.name = head.substr(c1 + 2, c2 - c1 - 2);
    if (size_t at = li.name.find('@'); at != std::string::npos) li.name.resize(at);
    std::istringstream words(head.substr(c2 + 1));
    std::string w;
    while (words >> w)
      if (w == "master") words >> li.master;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string p = trim(parts[i]);
      if (p.rfind("link/", 0) == 0) {
        std::istringstream pw(p);
        std::string kind, mac;
        pw >> kind >> mac;
        li.mac = lower(mac);
      } else if (p.rfind("alias ", 0) == 0) {
        li.alias = p.substr(6);
      }
    }
    links.push_back(li);
  }
  return links;
}

}  // namespace iocell::plugins::linux_net
