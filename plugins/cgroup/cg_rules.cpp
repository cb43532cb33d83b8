#include "cg_rules.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <iocell/support/rctl.hpp>

namespace iocell::plugins::cgroup {

namespace {

struct Parsed {
  std::string amount;
  std::string action;
};

std::optional<Parsed> parse_rule(const sdk::PropertyMap& props, const std::string& resource) {
  const std::string v = props.get(resource);
  if (v.empty() || v == "off" || v == "none") return std::nullopt;
  size_t colon = v.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error(resource + "=" + v + ": expected AMOUNT:ACTION");
  return Parsed{v.substr(0, colon), v.substr(colon + 1)};
}

std::runtime_error unenforceable(const std::string& resource, const Parsed& r, const std::string& why) {
  return std::runtime_error(resource + "=" + r.amount + ":" + r.action + " cannot be enforced on Linux (" + why + "); set " +
                            resource + "=" + r.amount + ":log to only report it, or " + resource + "=off");
}

const std::map<std::string, std::string>& unenforceable_reasons() {
  static const std::map<std::string, std::string> m = {
      {"cputime", "no cgroup stops a group after a CPU time budget"},
      {"wallclock", "no cgroup stops a group after a wall clock time"},
      {"datasize", "RLIMIT_DATA is per process"},
      {"stacksize", "RLIMIT_STACK is per process"},
      {"coredumpsize", "RLIMIT_CORE is per process"},
      {"memorylocked", "RLIMIT_MEMLOCK is per process"},
      {"openfiles", "RLIMIT_NOFILE is per process"},
      {"vmemoryuse", "RLIMIT_AS is per process"},
      {"pseudoterminals", "no cgroup counts pseudo-terminals"},
      {"msgqqueued", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"msgqsize", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"nmsgq", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"nsem", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"nsemop", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"nshm", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"shmsize", "System V IPC limits are per IPC namespace sysctls, not cgroup controls"},
      {"readbps", "block I/O throttling is per device and the jail's storage has no device of its own"},
      {"writebps", "block I/O throttling is per device and the jail's storage has no device of its own"},
      {"readiops", "block I/O throttling is per device and the jail's storage has no device of its own"},
      {"writeiops", "block I/O throttling is per device and the jail's storage has no device of its own"},
  };
  return m;
}

std::uint64_t count_of(const std::string& resource, const Parsed& r) {
  std::uint64_t n = parse_amount(r.amount);
  if (n == 0) throw std::runtime_error(resource + "=" + r.amount + ":" + r.action + ": the amount must be at least 1");
  return n;
}

std::string compress(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& rctl_resources() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& r : support::kRctlResources) out.emplace_back(r.name);
    return out;
  }();
  return names;
}

std::uint64_t parse_amount(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) throw std::runtime_error("invalid amount '" + text + "': allowed: a number with an optional K, M, G, T or P suffix");
  long double n = std::stold(text.substr(0, i));
  std::string suffix = text.substr(i);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  int shift = 0;
  if (suffix.size() == 1) {
    switch (std::toupper(static_cast<unsigned char>(suffix[0]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      case 'P': shift = 50; break;
      default: throw std::runtime_error("invalid amount '" + text + "': unknown suffix '" + suffix + "'");
    }
  } else if (!suffix.empty()) {
    throw std::runtime_error("invalid amount '" + text + "': unknown suffix '" + suffix + "'");
  }
  long double bytes = n * static_cast<long double>(std::uint64_t{1} << shift);
  if (bytes > 9.2e18L) throw std::runtime_error("amount too large: " + text);
  return static_cast<std::uint64_t>(bytes);
}

std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  auto num = [&](const std::string& s) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
      throw std::runtime_error("invalid CPU list '" + text + "': allowed: numbers and ranges such as 0-3,6");
    return std::stoi(s);
  };
  while (std::getline(ss, item, ',')) {
    while (!item.empty() && (item.back() == '\n' || item.back() == ' ')) item.pop_back();
    if (item.empty()) continue;
    size_t dash = item.find('-');
    int a = num(item.substr(0, dash));
    int b = dash == std::string::npos ? a : num(item.substr(dash + 1));
    if (b < a) throw std::runtime_error("invalid CPU range '" + item + "' in '" + text + "'");
    for (int c = a; c <= b; ++c) out.push_back(c);
  }
  return out;
}

LimitPlan plan_limits(const sdk::PropertyMap& props, const PlanContext& ctx) {
  LimitPlan plan;
  const bool on = props.enabled("rlimits");
  auto need = [&](const std::string& controller, const std::string& resource) {
    if (!ctx.available(controller))
      throw std::runtime_error(resource + " needs the " + controller + " cgroup controller, which this host does not offer");
  };

  std::optional<std::uint64_t> mem, swap, tasks, quota;
  if (on) {
    for (const auto& res : rctl_resources()) {
      auto r = parse_rule(props, res);
      if (!r) continue;
      const bool record_only = r->action == "log" || r->action == "devctl";
      Rule rule{res, r->action, r->amount, !record_only};
      if (res == "memoryuse") {
        if (!record_only && r->action != "deny" && r->action != "sigkill")
          throw unenforceable(res, *r, "the kernel enforces a memory limit by reclaim and the OOM killer (deny or sigkill), not by " + r->action);
        if (!record_only) {
          need("memory", res);
          mem = parse_amount(r->amount);
        }
      } else if (res == "swapuse") {
        if (!record_only && r->action != "deny") throw unenforceable(res, *r, "only deny can be enforced");
        if (!record_only) {
          need("memory", res);
          swap = parse_amount(r->amount);
        }
      } else if (res == "maxproc" || res == "nthr") {
        if (!record_only && r->action != "deny") throw unenforceable(res, *r, "the pids controller only refuses forks (deny)");
        if (!record_only) {
          need("pids", res);
          std::uint64_t n = count_of(res, *r);
          tasks = tasks ? std::min(*tasks, n) : n;
        }
      } else if (res == "pcpu") {
        if (!record_only && r->action != "deny") throw unenforceable(res, *r, "the cpu controller only throttles (deny)");
        if (!record_only) {
          need("cpu", res);
          quota = count_of(res, *r) * 1000;  // microseconds per 100 ms period
        }
      } else if (!record_only) {
        throw unenforceable(res, *r, unenforceable_reasons().at(res));
      }
      plan.rules.push_back(rule);
    }
  }

  if (ctx.available("memory")) {
    if (ctx.v2("memory")) {
      plan.writes.push_back({"memory", "memory.max", mem ? std::to_string(*mem) : "max"});
      if (ctx.v2_swap) plan.writes.push_back({"memory", "memory.swap.max", swap ? std::to_string(*swap) : "max"});
      else if (swap) throw std::runtime_error("swapuse needs swap accounting (memory.swap.max), which this host does not offer");
    } else {
      // memsw must never be below the memory limit: lift it first.
      if (ctx.v1_memsw) plan.writes.push_back({"memory", "memory.memsw.limit_in_bytes", "-1"});
      plan.writes.push_back({"memory", "memory.limit_in_bytes", mem ? std::to_string(*mem) : "-1"});
      if (swap) {
        if (!ctx.v1_memsw)
          throw std::runtime_error("swapuse needs swap accounting (memory.memsw.*), which this host does not offer");
        if (!mem) throw std::runtime_error("swapuse with cgroup v1 needs a memoryuse deny limit too (v1 limits memory plus swap)");
        plan.writes.push_back({"memory", "memory.memsw.limit_in_bytes", std::to_string(*mem + *swap)});
      }
    }
  }
  if (ctx.available("pids"))
    plan.writes.push_back({"pids", "pids.max", tasks ? std::to_string(*tasks + 1) : "max"});  // + iocell's init
  if (ctx.available("cpu")) {
    if (ctx.v2("cpu")) {
      plan.writes.push_back({"cpu", "cpu.max", (quota ? std::to_string(*quota) : "max") + " 100000"});
    } else {
      plan.writes.push_back({"cpu", "cpu.cfs_period_us", "100000"});
      plan.writes.push_back({"cpu", "cpu.cfs_quota_us", quota ? std::to_string(*quota) : "-1"});
    }
  }

  const std::string cpuset = props.get("cpuset");
  if (!cpuset.empty() && cpuset != "off" && cpuset != "none") {
    need("cpuset", "cpuset=" + cpuset);
    for (int c : parse_cpu_list(cpuset)) {
      if (!ctx.online.empty() && std::find(ctx.online.begin(), ctx.online.end(), c) == ctx.online.end())
        throw std::runtime_error("cpuset=" + cpuset + ": CPU " + std::to_string(c) + " is not available here (CPUs: " +
                                 compress(ctx.online) + ")");
    }
    plan.writes.push_back({"cpuset", "cpuset.cpus", compress(parse_cpu_list(cpuset))});
  } else if (ctx.available("cpuset") && !ctx.all_cpus.empty()) {
    plan.writes.push_back({"cpuset", "cpuset.cpus", ctx.all_cpus});
  }
  return plan;
}

}  // namespace iocell::plugins::cgroup
