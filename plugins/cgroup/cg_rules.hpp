// rctl rules of a jail turned into cgroup control files.
//
// Enforced ("deny"; "sigkill" too for memoryuse, which the kernel's OOM
// killer carries out with SIGKILL):
//   memoryuse  memory.limit_in_bytes (v1) / memory.max (v2)
//   swapuse    memory.memsw.limit_in_bytes = memoryuse + swapuse (v1, needs
//              a memoryuse limit) / memory.swap.max (v2)
//   maxproc, nthr  pids.max (the pids controller counts threads, so both
//              bound tasks; the lower wins; iocell's init is added on top)
//   pcpu       cpu.cfs_quota_us over a 100 ms period / cpu.max (percent of
//              one CPU: pcpu=150 is one and a half CPUs)
//   cpuset     cpuset.cpus (independent of rlimits, as documented)
// "log" and "devctl" rules are recorded and shown, never enforced: Linux has
// no per-cgroup notification for them; `iocell inuse` reports usage.
// Every other resource (openfiles, vmemoryuse, readbps, ...) has only a
// per-process or per-device counterpart on Linux, and a deny, throttle or
// signal rule for it is refused with an error that says so.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <iocell/sdk/properties.hpp>

namespace iocell::plugins::cgroup {

/// rctl(8) resources in the kernel's order (sys/sys/racct.h).
const std::vector<std::string>& rctl_resources();

struct Write {
  std::string controller;  ///< which group the file is in
  std::string file;
  std::string value;
};

struct Rule {
  std::string resource;
  std::string action;
  std::string amount;  ///< as written in the property
  bool enforced = false;
  std::string text() const { return resource + ":" + action + "=" + amount; }
};

struct LimitPlan {
  std::vector<Write> writes;
  std::vector<Rule> rules;
};

struct PlanContext {
  /// Whether a controller is served by cgroup v2 (else v1); unavailable
  /// controllers answer nullopt-like through `available`.
  std::function<bool(const std::string&)> v2;
  std::function<bool(const std::string&)> available;
  bool v1_memsw = false;     ///< memory.memsw.* exists (v1 swap accounting)
  bool v2_swap = false;      ///< memory.swap.max exists
  std::string all_cpus;      ///< what cpuset=off means (the parent's CPUs)
  std::vector<int> online;   ///< CPUs that exist, for checking cpuset
};

/// The writes that make the jail's groups match the properties: rlimits=on
/// applies the rules, off resets every control to unlimited. Throws naming
/// the property for anything Linux cannot enforce or the host lacks.
LimitPlan plan_limits(const sdk::PropertyMap& props, const PlanContext& ctx);

/// Bytes of an rctl amount ("4G", "512M", "1.5G", "100"). Throws.
std::uint64_t parse_amount(const std::string& text);
/// "0-3,6" -> {0,1,2,3,6}. Throws on a malformed list.
std::vector<int> parse_cpu_list(const std::string& text);

}  // namespace iocell::plugins::cgroup
