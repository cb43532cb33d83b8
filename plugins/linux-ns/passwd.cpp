#include "passwd.hpp"

#include <algorithm>
#include <sstream>

namespace iocell::plugins::linux_ns {

namespace {

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::stringstream ss(line);
  while (std::getline(ss, cur, sep)) out.push_back(cur);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

bool to_id(const std::string& s, unsigned long& out) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoul(s);
  return out <= 0xfffffffeUL;
}

}  // namespace

std::optional<UserEntry> find_user(const std::string& passwd_text, const std::string& name) {
  unsigned long wanted_uid = 0;
  const bool numeric = to_id(name, wanted_uid);
  std::istringstream in(passwd_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    unsigned long uid = 0, gid = 0;
    if (!to_id(f[2], uid) || !to_id(f[3], gid)) continue;
    if (f[0] != name && !(numeric && uid == wanted_uid)) continue;
    UserEntry u;
    u.name = f[0];
    u.uid = static_cast<uid_t>(uid);
    u.gid = static_cast<gid_t>(gid);
    u.home = f[5].empty() ? "/" : f[5];
    u.shell = f[6].empty() ? "/bin/sh" : f[6];
    return u;
  }
  if (numeric) {
    UserEntry u;
    u.name = name;
    u.uid = static_cast<uid_t>(wanted_uid);
    u.gid = static_cast<gid_t>(wanted_uid);
    return u;
  }
  return std::nullopt;
}

std::vector<gid_t> groups_of(const std::string& group_text, const std::string& user, gid_t primary) {
  std::vector<gid_t> out{primary};
  std::istringstream in(group_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 4) continue;
    unsigned long gid = 0;
    if (!to_id(f[2], gid)) continue;
    auto members = split(f[3], ',');
    if (std::find(members.begin(), members.end(), user) == members.end()) continue;
    if (std::find(out.begin(), out.end(), static_cast<gid_t>(gid)) == out.end()) out.push_back(static_cast<gid_t>(gid));
  }
  return out;
}

}  // namespace iocell::plugins::linux_ns
