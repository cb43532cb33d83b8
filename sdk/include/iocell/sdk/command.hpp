// The one door to the host: every external program iocell runs goes through a
// CommandRunner, as an argv vector, never a shell string.
#pragma once

#include <iocell/sdk/export.hpp>

#include <sys/types.h>

#include <cctype>
#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace iocell::sdk {

struct Command {
  Command() = default;
  Command(std::vector<std::string> args) : argv(std::move(args)) {}  // NOLINT: implicit by design
  Command(std::initializer_list<std::string> args) : argv(args) {}

  std::vector<std::string> argv;
  /// Variables added to (or replacing) the inherited environment.
  std::map<std::string, std::string> env;
  /// Start from an empty environment (plus `env`) instead of the inherited one.
  bool clear_env = false;
  std::optional<std::string> stdin_data;
  /// Zero means no limit. On expiry the process gets SIGTERM, then SIGKILL.
  std::chrono::milliseconds timeout{0};
  /// For console and interactive exec: the command's output is not captured
  /// but relayed to this process's stdout and stderr, and its input from
  /// stdin, through a pseudo-terminal of its own (stdin a terminal) or
  /// pipes (sdk/terminal_relay.hpp). It never holds the caller's terminal.
  bool interactive = false;
  std::string cwd;
  /// An open descriptor the child reads as its stdin instead of stdin_data
  /// (-1: not used). The caller keeps it open and owns it; the child shares
  /// its file offset.
  int stdin_fd = -1;
  /// An open descriptor the child writes its stdout to instead of
  /// CommandResult::out (-1: capture). For streams too large to hold in
  /// memory, such as `zfs send` into an export file.
  int stdout_fd = -1;
  /// The command changes nothing on the host (zfs get, jls): --dry-run runs
  /// it for real, so that what it plans rests on real answers.
  bool read_only = false;
  /// spawn() only: an open descriptor the child writes its stderr to
  /// instead of this process's (-1: inherited).
  int stderr_fd = -1;
  /// spawn() only: the child leads a session of its own whose controlling
  /// terminal is its stdin (stdin_fd, a terminal), as a container's process
  /// with process.terminal gets. It never gets the caller's terminal.
  bool terminal_session = false;
  /// spawn() only: a fifo the started process reads one byte from before
  /// it execs, so that it exists (its pid known) yet runs nothing until a
  /// later step writes the byte. Opened by the runner before spawn returns.
  std::string start_gate;
};

struct CommandResult {
  int exit_code = 0;     ///< exit status, or 128+signal when killed by a signal
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && !timed_out; }
};

/// Renders argv for humans and transcripts: words with spaces or shell
/// metacharacters are single-quoted. Purely for display; nothing parses it
/// back into a command line that a shell would run.
inline std::string format_argv(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !word.empty();
    for (char c : word) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,@%+|^").find(c) != std::string_view::npos)) {
        plain = false;
        break;
      }
    }
    if (plain) {
      line += word;
      continue;
    }
    line += '\'';
    for (char c : word) {
      if (c == '\'') line += "'\\''";
      else line += c;
    }
    line += '\'';
  }
  return line;
}

/// Thrown by CommandRunner::check when a command fails. Carries the whole
/// argv and stderr so that the message says exactly what ran.
class IOCELL_SDK_EXPORT CommandFailed : public std::runtime_error {
 public:
  CommandFailed(const Command& cmd, const CommandResult& res)
      : std::runtime_error(describe(cmd, res)), result(res) {}
  CommandResult result;

 private:
  static std::string describe(const Command& cmd, const CommandResult& res) {
    std::string msg = "command failed";
    if (res.timed_out) msg += " (timed out)";
    else msg += " (exit " + std::to_string(res.exit_code) + ")";
    msg += ": " + format_argv(cmd.argv);
    std::string err = res.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    if (!err.empty()) msg += ": " + err;
    return msg;
  }
};

class IOCELL_SDK_EXPORT CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const Command& cmd) = 0;

  /// Runs and throws CommandFailed unless the command succeeded.
  CommandResult check(const Command& cmd) {
    CommandResult res = run(cmd);
    if (!res.ok()) throw CommandFailed(cmd, res);
    return res;
  }

  /// Runs the stages at the same time, the stdout of each feeding the stdin
  /// of the next (`zfs send ... | zfs receive ...` without a shell). The
  /// first stage's stdin_data or stdin_fd and the last stage's stdout_fd are
  /// honoured; the last stage's stdout is captured unless stdout_fd is set.
  /// A stage's timeout counts from the start and stops the whole pipeline.
  /// Returns one result per stage, in order.
  ///
  /// This default runs the stages one after another through run(), which is
  /// right for runners that execute nothing (dry-run recorders, scripted
  /// test runners: they see each stage's argv in order) and wrong for a
  /// runner that starts processes, which must override it.
  virtual std::vector<CommandResult> run_pipeline(const std::vector<Command>& stages) {
    std::vector<CommandResult> results;
    for (const auto& stage : stages) results.push_back(run(stage));
    return results;
  }

  /// Starts the command without waiting for it and returns its pid, for a
  /// process that must outlive the call that starts it (an OCI container's
  /// first process). It holds this process's stdin, stdout and stderr, or
  /// stdin_fd, stdout_fd and stderr_fd when set, and no other descriptor;
  /// argv, env, clear_env, cwd, terminal_session and start_gate apply,
  /// stdin_data, timeout and interactive do not. The caller reaps it, or leaves it to init (or to
  /// its subreaper) by exiting first. Throws when it cannot be started.
  ///
  /// This default goes through run(), which is right for runners that
  /// execute nothing: a scripted runner answers the pid as the command's
  /// output (0 when it prints none). A runner that starts processes must
  /// override it.
  virtual pid_t spawn(const Command& cmd) {
    const CommandResult res = check(cmd);
    pid_t pid = 0;
    for (char c : res.out) {
      if (c < '0' || c > '9') break;
      pid = pid * 10 + (c - '0');
    }
    return pid;
  }
};

}  // namespace iocell::sdk
