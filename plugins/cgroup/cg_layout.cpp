#include "cg_layout.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace iocell::plugins::cgroup {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string w;
  while (std::getline(ss, w, sep))
    if (!w.empty()) out.push_back(w);
  return out;
}

bool is_mount_option(const std::string& o) {
  for (const char* m : {"rw", "ro", "clone_children", "noprefix", "xattr", "cpuset_v2_mode", "nsdelegate", "favordynmods",
                        "memory_localevents", "memory_recursiveprot"})
    if (o == m) return true;
  return false;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool Hierarchy::has(const std::string& c) const {
  return std::find(controllers.begin(), controllers.end(), c) != controllers.end();
}

const Hierarchy* Layout::serving(const std::string& c) const {
  for (const auto& h : hierarchies)
    if (!h.v2 && h.has(c)) return &h;
  for (const auto& h : hierarchies)
    if (h.v2 && h.has(c)) return &h;
  return nullptr;
}

std::vector<const Hierarchy*> Layout::used() const {
  std::vector<const Hierarchy*> out;
  for (const auto& c : wanted_controllers()) {
    const Hierarchy* h = serving(c);
    if (h && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  }
  const bool any_v1 = std::any_of(hierarchies.begin(), hierarchies.end(), [](const Hierarchy& h) { return !h.v2; });
  if (!any_v1) {
    for (const auto& h : hierarchies)
      if (h.v2 && std::find(out.begin(), out.end(), &h) == out.end()) out.push_back(&h);
  }
  return out;
}

Layout parse_layout(const std::string& mountinfo, const std::string& self_cgroup,
                    const std::function<std::string(const std::filesystem::path&)>& v2_controllers) {
  Layout layout;
  std::istringstream mi(mountinfo);
  std::string line;
  while (std::getline(mi, line)) {
    auto f = split(line, ' ');
    auto dash = std::find(f.begin(), f.end(), "-");
    if (dash == f.end() || dash - f.begin() < 5 || f.end() - dash < 4) continue;
    const std::string type = *(dash + 1);
    if (type != "cgroup" && type != "cgroup2") continue;
    Hierarchy h;
    h.v2 = type == "cgroup2";
    h.mount = f[4];
    h.mount_root = f[3];
    if (h.v2) {
      h.controllers = split(v2_controllers(h.mount), ' ');
      for (auto& c : h.controllers)
        while (!c.empty() && c.back() == '\n') c.pop_back();
    } else {
      for (const auto& o : split(*(dash + 3), ','))
        if (o.find('=') == std::string::npos && !is_mount_option(o)) h.controllers.push_back(o);
      if (h.controllers.empty()) continue;  // named hierarchies (name=systemd) hold no controller
    }
    // The same hierarchy mounted twice must be counted once.
    if (std::any_of(layout.hierarchies.begin(), layout.hierarchies.end(),
                    [&](const Hierarchy& o) { return o.v2 == h.v2 && (h.v2 || o.controllers == h.controllers); }))
      continue;
    layout.hierarchies.push_back(h);
  }
  std::istringstream sc(self_cgroup);
  while (std::getline(sc, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const auto ctrls = split(line.substr(a + 1, b - a - 1), ',');
    const std::string path = line.substr(b + 1);
    for (auto& h : layout.hierarchies) {
      if (h.v2 ? line.substr(0, a) == "0" && ctrls.empty()
               : std::all_of(h.controllers.begin(), h.controllers.end(),
                             [&](const std::string& c) { return std::find(ctrls.begin(), ctrls.end(), c) != ctrls.end(); }))
        h.own = path;
    }
  }
  return layout;
}

Layout host_layout() {
  return parse_layout(read_text("/proc/self/mountinfo"), read_text("/proc/self/cgroup"),
                      [](const std::filesystem::path& m) { return read_text(m / "cgroup.controllers"); });
}

std::filesystem::path jail_group(const Hierarchy& h, const std::string& uuid) {
  const std::string leaf = "ioc-" + uuid;
  if (h.v2) return h.mount / "iocell" / leaf;
  std::filesystem::path rel = std::filesystem::path(h.own).lexically_relative(h.mount_root);
  if (rel.empty() || rel == "." || *rel.begin() == "..") rel.clear();
  return (h.mount / rel / "iocell" / leaf).lexically_normal();
}

}  // namespace iocell::plugins::cgroup
