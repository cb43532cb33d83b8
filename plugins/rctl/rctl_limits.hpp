// sdk::Limits over rctl(8) and cpuset(1).
//
// Rules are keyed by jail name and outlive the jail (freebsd-commands.md §5),
// so apply() first removes the jail's rules, then adds the spec's in one
// `rctl -a` (its exit status counts the rules that failed): the jail ends up
// with exactly its properties' limits, and a changed log rule replaces the old
// one instead of piling up. cpuset is independent of rlimits, as documented.
// A kernel with RACCT disabled refuses every rctl command: the error then says
// how to enable it; remove() treats it as nothing to remove.
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/limits.hpp>

namespace iocell::plugins::rctl {

class RctlLimits : public sdk::Limits {
 public:
  explicit RctlLimits(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "rctl"; }
  void prepare(sdk::JailSpec& /*spec*/) override {}
  void apply(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void remove(const sdk::JailSpec& spec) override;
  std::vector<std::string> rules(const sdk::JailSpec& spec) override;
  std::string cpuset(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  std::vector<std::pair<std::string, std::string>> usage(const sdk::JailSpec& spec, const sdk::RunState& state,
                                                          Amounts amounts) override;

 private:
  sdk::CommandRunner& run() { return *m_host.runner; }
  /// Runs an rctl command; a RACCT-less kernel becomes an error that says what to do.
  sdk::CommandResult rctl(const sdk::Command& cmd);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::rctl
