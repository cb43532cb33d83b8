#include "rctl_checks.hpp"

namespace iocell::plugins::rctl {

std::vector<sdk::HostCheck> RctlChecks::checks(const std::vector<sdk::JailSpec>& jails) {
  bool limited = false;
  for (const auto& j : jails) limited = limited || j.props.enabled("rlimits");
  sdk::Command cmd({"sysctl", "-n", "kern.racct.enable"});
  cmd.read_only = true;
  const auto res = m_host.runner->run(cmd);
  std::string value = res.out;
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  sdk::HostCheck c{"kern.racct.enable", value == "1", "", "add kern.racct.enable=1 to /boot/loader.conf and reboot"};
  if (!res.ok()) {
    c.detail = "missing: this kernel has no RACCT";
    c.fix = "a kernel built with options RACCT and options RCTL";
  } else {
    c.detail = value + (value == "1" ? "" : " (rctl refuses every limit)");
  }
  // Without a jail that asks for limits, no RACCT is worth a line, not a failure.
  if (!c.ok && !limited) {
    c.ok = true;
    c.detail += "; no jail has rlimits=on";
  }
  return {c};
}

}  // namespace iocell::plugins::rctl
