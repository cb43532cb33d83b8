#include "rctl_limits.hpp"

#include <stdexcept>

#include "rctl_parse.hpp"

namespace iocell::plugins::rctl {

namespace {

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

bool racct_off(const std::string& err) {
  return contains(err, "RACCT/RCTL present, but disabled") || contains(err, "RACCT/RCTL support not present");
}

std::string subject(const sdk::JailSpec& spec) { return "jail:" + spec.name; }

}  // namespace

sdk::CommandResult RctlLimits::rctl(const sdk::Command& cmd) {
  auto res = run().run(cmd);
  if (res.ok()) return res;
  if (contains(res.err, "RACCT/RCTL present, but disabled"))
    throw std::runtime_error("resource limits need RACCT, which this kernel has but keeps disabled: add kern.racct.enable=1 to "
                             "/boot/loader.conf and reboot (" + sdk::format_argv(cmd.argv) + ")");
  if (contains(res.err, "RACCT/RCTL support not present"))
    throw std::runtime_error("this kernel has no RACCT/RCTL: resource limits need a kernel built with options RACCT and options RCTL (" +
                             sdk::format_argv(cmd.argv) + ")");
  throw sdk::CommandFailed(cmd, res);
}

void RctlLimits::apply(const sdk::JailSpec& spec, const sdk::RunState& state) {
  if (spec.props.enabled("rlimits")) {
    sdk::Command add({"rctl", "-a"});
    for (const auto& r : resources()) {
      const std::string v = spec.props.get(r);
      if (v.empty() || v == "off" || v == "none") continue;
      const size_t colon = v.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == v.size())
        throw std::runtime_error("invalid value '" + v + "' for " + r + ": allowed: off or AMOUNT:ACTION such as 4G:deny");
      add.argv.push_back(subject(spec) + ":" + r + ":" + v.substr(colon + 1) + "=" + rctl_amount(v.substr(0, colon)));
    }
    remove(spec);  // also when every limit is off: cap then leaves no stale rule
    if (add.argv.size() > 2) rctl(add);
  }
  if (spec.props.is_set("cpuset"))
    run().check({"cpuset", "-l", spec.props.get("cpuset"), "-j", std::to_string(state.jid)});
}

void RctlLimits::remove(const sdk::JailSpec& spec) {
  sdk::Command cmd({"rctl", "-r", subject(spec)});
  auto res = run().run(cmd);
  // "No such process": the jail has no rule. Without RACCT it cannot have one.
  if (res.ok() || contains(res.err, "No such process") || racct_off(res.err)) return;
  throw sdk::CommandFailed(cmd, res);
}

std::vector<std::string> RctlLimits::rules(const sdk::JailSpec& spec) {
  return parse_rules(rctl({"rctl", "-h", subject(spec)}).out, spec.name);
}

std::string RctlLimits::cpuset(const sdk::JailSpec& /*spec*/, const sdk::RunState& state) {
  auto cpus = parse_cpuset_mask(run().check({"cpuset", "-g", "-j", std::to_string(state.jid)}).out);
  if (cpus.empty()) return "";
  const std::string mask = compress_cpus(cpus);
  // A mask of every CPU is no restriction: only then ask how many there are.
  if (mask.find(',') == std::string::npos && cpus.front() == 0) {
    auto ncpu = run().run({"sysctl", "-n", "hw.ncpu"});
    try {
      if (ncpu.ok() && std::stoi(ncpu.out) == static_cast<int>(cpus.size())) return "";
    } catch (const std::exception&) {
      // An unreadable CPU count: report the mask as it is.
    }
  }
  return mask;
}

std::vector<std::pair<std::string, std::string>> RctlLimits::usage(const sdk::JailSpec& spec, const sdk::RunState& /*state*/,
                                                                   Amounts amounts) {
  return parse_usage(rctl({"rctl", amounts == Amounts::Human ? "-hu" : "-u", subject(spec)}).out);
}

}  // namespace iocell::plugins::rctl
