// sdk::Limits over cgroups (v1, v2 or both).
//
// prepare()  creates the jail's group in every hierarchy it uses (see
//            cg_layout.hpp for where), initialising v1 cpusets and enabling
//            v2 controllers on the way down, records the groups in
//            <root>/.run/cgroup/<uuid>, and lists their cgroup.procs in
//            spec.attach_files: the runtime's init and every command entering
//            the jail write their pid there before they run anything.
// apply()    writes every control (cg_rules.hpp) after checking them all,
//            so that an unenforceable rule changes nothing.
// remove()   resets every control to unlimited and removes the groups once
//            no process is left in them (at stop; `uncap` keeps them).
// The groups of a running jail are read from its init's /proc/PID/cgroup.
#pragma once

#include <filesystem>
#include <map>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/limits.hpp>

#include "cg_layout.hpp"
#include "cg_rules.hpp"

namespace iocell::plugins::cgroup {

class CgroupLimits : public sdk::Limits {
 public:
  explicit CgroupLimits(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "cgroup"; }
  void prepare(sdk::JailSpec& spec) override;
  void apply(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void remove(const sdk::JailSpec& spec) override;
  std::vector<std::string> rules(const sdk::JailSpec& spec) override;
  std::string cpuset(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  std::vector<std::pair<std::string, std::string>> usage(const sdk::JailSpec& spec, const sdk::RunState& state,
                                                          Amounts amounts) override;
  std::string refuses(const sdk::JailSpec& spec) override;
  std::vector<std::string> clean_leftovers(const std::function<bool(const std::string&)>& idle) override;

 private:
  const Layout& layout();
  struct JailGroups {
    std::map<std::string, std::filesystem::path> by_controller;  ///< controller -> group serving it
    std::vector<std::filesystem::path> dirs;                      ///< every group of the jail
  };
  JailGroups groups(const sdk::JailSpec& spec, const sdk::RunState* state);
  PlanContext plan_context(const std::map<std::string, std::filesystem::path>& groups);
  std::filesystem::path record(const sdk::JailSpec& spec) const { return m_host.root / ".run" / "cgroup" / spec.uuid; }

  sdk::HostContext m_host;
  std::optional<Layout> m_layout;
};

}  // namespace iocell::plugins::cgroup
