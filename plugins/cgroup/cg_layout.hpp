// Where the cgroup controllers live on this host: v1 hierarchies (one mount
// per controller or group of controllers), the v2 unified hierarchy, or a
// mix of both (systemd's hybrid mode, where v2 often holds no controller).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace iocell::plugins::cgroup {

/// The controllers iocell puts a jail under.
inline const std::vector<std::string>& wanted_controllers() {
  static const std::vector<std::string> c{"memory", "pids", "cpu", "cpuacct", "cpuset"};
  return c;
}

struct Hierarchy {
  bool v2 = false;
  std::filesystem::path mount;           ///< where it is mounted
  std::string mount_root = "/";          ///< the cgroup the mount shows at its top
  std::vector<std::string> controllers;  ///< v1: from the mount options; v2: cgroup.controllers of its top
  std::string own = "/";                 ///< the calling process's cgroup in it
  bool has(const std::string& c) const;
};

struct Layout {
  std::vector<Hierarchy> hierarchies;
  /// The hierarchy that serves controller c: a v1 one that has it, else v2
  /// when it offers it. nullptr when the host has no such controller.
  const Hierarchy* serving(const std::string& c) const;
  /// The hierarchies a jail gets a group in: every one serving a wanted
  /// controller, plus v2 on a v2-only host (to hold the processes together).
  std::vector<const Hierarchy*> used() const;
};

/// Builds the layout from /proc/self/mountinfo and /proc/self/cgroup text;
/// `v2_controllers(mount)` reads cgroup.controllers of a v2 mount.
Layout parse_layout(const std::string& mountinfo, const std::string& self_cgroup,
                    const std::function<std::string(const std::filesystem::path&)>& v2_controllers);
/// The live layout of this host.
Layout host_layout();

/// The group of jail `uuid` in a hierarchy: under the caller's own group in
/// v1 (a nested memory cgroup keeps the jail inside its parent's
/// accounting), under <mount>/iocell in v2 (whose no-internal-process rule
/// forbids a child of a group with processes that enables controllers).
std::filesystem::path jail_group(const Hierarchy& h, const std::string& uuid);

}  // namespace iocell::plugins::cgroup
