// CommandRunner implementations of the core.
#pragma once

#include <ostream>
#include <vector>

#include <iocell/sdk/command.hpp>

namespace iocell::core {

/// Runs commands for real with posix_spawn (argv only, no shell).
class PosixRunner : public sdk::CommandRunner {
 public:
  using sdk::CommandRunner::run;
  sdk::CommandResult run(const sdk::Command& cmd) override;
  std::vector<sdk::CommandResult> run_pipeline(const std::vector<sdk::Command>& stages) override;
  /// A fork whose child makes only system calls on what the parent
  /// prepared: the gate's read cannot happen in a posix_spawn child.
  pid_t spawn(const sdk::Command& cmd) override;
};

/// --dry-run: prints each command instead of running it and answers with
/// success and empty output; a read-only command (Command::read_only) goes
/// to `reads`, which runs it.
class RecordingRunner : public sdk::CommandRunner {
 public:
  RecordingRunner(std::ostream& out, sdk::CommandRunner& reads) : m_out(out), m_reads(reads) {}
  using sdk::CommandRunner::run;
  sdk::CommandResult run(const sdk::Command& cmd) override;
  /// Prints the pipeline on one line, stages joined by " | ".
  std::vector<sdk::CommandResult> run_pipeline(const std::vector<sdk::Command>& stages) override;
  const std::vector<sdk::Command>& recorded() const { return m_recorded; }

 private:
  std::ostream& m_out;
  sdk::CommandRunner& m_reads;
  std::vector<sdk::Command> m_recorded;
};

}  // namespace iocell::core
