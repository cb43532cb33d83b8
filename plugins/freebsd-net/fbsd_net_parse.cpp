#include "fbsd_net_parse.hpp"

#include <cctype>
#include <cstdio>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::freebsd_net {

namespace {

bool is_hex(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!std::isxdigit(c)) return false;
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<VnetInterface> parse_interfaces(const std::string& value) {
  auto out = sdk::vnet::parse_interfaces(value);
  if (out.empty()) throw std::runtime_error("a VNET jail needs at least one interface (interfaces=vnet0:bridge0)");
  return out;
}

std::pair<std::string, std::string> derive_macs(const std::string& uuid, int index) {
  const std::string head = uuid.substr(0, 8);
  if (head.size() != 8 || !is_hex(head)) throw std::runtime_error("cannot derive a MAC from UUID '" + uuid + "': it must start with 8 hex digits");
  return sdk::vnet::mac_pair(lower(head), index);
}

std::string host_ifname(const std::string& uuid, int index) {
  const std::string head = uuid.substr(0, 8);
  if (head.size() != 8 || !is_hex(head)) throw std::runtime_error("cannot name an interface after UUID '" + uuid + "': it must start with 8 hex digits");
  return "vnet" + std::to_string(index) + "_" + lower(head);
}

bool is_host_ifname(const std::string& name) {
  static const std::regex re("^vnet[0-9]+_[0-9a-f]{8}$");
  return std::regex_match(name, re);
}

std::string parse_route_interface(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.rfind("interface:", 0) == 0) return trim(t.substr(10));
  }
  return "";
}

std::string parse_epair_create(const std::string& out) {
  static const std::regex re("^epair[0-9]+a$");
  const std::string name = trim(out);
  if (!std::regex_match(name, re)) throw std::runtime_error("ifconfig epair create printed '" + out.substr(0, 80) + "', not an epair name");
  return name;
}

std::string parse_bridge_create(const std::string& out) {
  static const std::regex re("^bridge[0-9]+$");
  const std::string name = trim(out);
  if (!std::regex_match(name, re)) throw std::runtime_error("ifconfig bridge create printed '" + out.substr(0, 80) + "', not a bridge name");
  return name;
}

IfInfo parse_ifconfig(const std::string& out) {
  IfInfo info;
  std::istringstream in(out);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      first = false;
      std::istringstream words(line);
      std::string w;
      while (words >> w) {
        if (w == "mtu" && (words >> w)) {
          try {
            size_t used = 0;
            int mtu = std::stoi(w, &used);
            if (used == w.size() && mtu > 0 && mtu <= 65535) info.mtu = mtu;
          } catch (const std::exception&) {
            // A first line without a number after "mtu" has no MTU for us.
          }
        }
      }
      continue;
    }
    const std::string t = trim(line);
    if (t.rfind("description:", 0) == 0) {
      info.description = trim(t.substr(12));
    } else if (t.rfind("member:", 0) == 0) {
      std::istringstream words(t.substr(7));
      std::string name;
      if (words >> name) info.members.push_back(name);
    }
  }
  return info;
}

std::vector<std::string> split_words(const std::string& out) {
  std::vector<std::string> words;
  std::istringstream in(out);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

}  // namespace iocell::plugins::freebsd_net
