#include "cgroup_checks.hpp"

#include "cg_layout.hpp"

namespace iocell::plugins::cgroup {

sdk::HostCheck controllers_check(const Layout& layout, bool limited) {
  std::string found, missing, plus;
  for (const auto& c : wanted_controllers()) {
    const Hierarchy* h = layout.serving(c);
    // cgroup v2 accounts CPU time in its cpu controller: no cpuacct to find.
    if (c == "cpuacct" && (!h || h->v2)) continue;
    if (h) {
      found += (found.empty() ? "" : " ") + c + (h->v2 ? "(v2)" : "(v1)");
    } else {
      missing += (missing.empty() ? "" : " ") + c;
      plus += (plus.empty() ? "+" : " +") + c;
    }
  }
  sdk::HostCheck check{"cgroup controllers", missing.empty() || !limited, found.empty() ? "none" : found, ""};
  if (!missing.empty()) {
    check.detail += "; missing: " + missing + (limited ? "" : " (no jail has rlimits=on)");
    check.fix = "enable them: on cgroup v2, echo '" + plus +
                "' > /sys/fs/cgroup/cgroup.subtree_control (under systemd: Delegate=); on v1, mount their hierarchies";
  }
  return check;
}

std::vector<sdk::HostCheck> CgroupChecks::checks(const std::vector<sdk::JailSpec>& jails) {
  bool limited = false;
  for (const auto& j : jails) limited = limited || j.props.enabled("rlimits");
  return {controllers_check(host_layout(), limited)};
}

}  // namespace iocell::plugins::cgroup
