#include "net_names.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::linux_net {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

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
  return sdk::vnet::mac_pair(uuid_tag(uuid), index);
}

std::string host_ifname(const std::string& uuid, int index) { return "vnet" + std::to_string(index) + "_" + uuid_tag(uuid); }

std::string routed_ifname(const std::string& uuid, int index) { return "sip" + std::to_string(index) + "_" + uuid_tag(uuid); }

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
