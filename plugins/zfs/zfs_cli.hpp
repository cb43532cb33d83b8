// The runner as the zfs storage uses it: every call checks that zfs and
// zpool exist at all (the runner reports 127 when a program cannot start)
// so that a host without ZFS gets one clear sentence instead of a failure
// of the first command.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>

namespace iocell::plugins::zfs {

class ZfsCli {
 public:
  explicit ZfsCli(sdk::CommandRunner* runner) : m_runner(runner) {}

  /// Runs the command; only a program that could not start throws.
  sdk::CommandResult run(const sdk::Command& cmd);
  /// Runs and throws sdk::CommandFailed unless it succeeded.
  sdk::CommandResult check(const sdk::Command& cmd);
  /// `from | to` without a shell; throws sdk::CommandFailed naming the
  /// stage that failed (the receiver's error first: when it dies, the
  /// sender only sees a broken pipe).
  void pipe(const sdk::Command& from, const sdk::Command& to);

 private:
  void require_program(const sdk::Command& cmd, const sdk::CommandResult& res) const;
  sdk::CommandRunner* m_runner;
};

/// The command failed because the named dataset does not exist
/// ("cannot open 'X': dataset does not exist", exit 1).
bool dataset_missing(const sdk::CommandResult& res);

}  // namespace iocell::plugins::zfs
