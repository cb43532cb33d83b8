// The CLI's command table. Each file in cli/commands/ registers its
// commands with IOCELL_COMMAND; main() dispatches on the first word.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <iocell/core/context.hpp>

namespace iocell::cli {

struct Invocation {
  core::Context& ctx;
  std::string command;
  std::vector<std::string> args;  ///< everything after the command word

  /// Prints the outcome of a change: `done` ("destroyed www"), or under
  /// --dry-run `would` ("would destroy www"): a dry run never claims it
  /// changed anything.
  void report(const std::string& done, const std::string& would) const {
    ctx.out() << (ctx.dry_run() ? would : done) << "\n";
  }
};

/// One flag of a command: the parser, the synopsis (help, man page) and
/// the shell completions are all made from these.
struct Flag {
  std::string name;        ///< the long name: --name
  char letter = 0;         ///< the short one, -x; 0 for none
  std::string value = {};  ///< the placeholder of its argument ("COLUMN"); empty for a switch
  std::string help = {};
  /// Flags of one command sharing a non-zero number exclude each other and
  /// are shown as one group: [-c|-b|-e].
  int alternatives = 0;
  std::vector<std::string> choices = {};  ///< the literal values its argument takes, shown instead of `value`
};

/// -H and --json, which every listing takes, after `flags`.
std::vector<Flag> with_output_flags(std::vector<Flag> flags = {});

struct CommandSpec {
  std::string name;
  std::string operands;  ///< what follows the flags: "[property=value ...]", "TARGET ...|ALL"
  std::string summary;   ///< one line
  std::function<int(Invocation&)> run;
  std::vector<std::string> aliases = {};
  /// Whether the command needs no state root (help, version, plugins).
  bool stateless = false;
  /// Read-only commands anyone may run; the others need root (as the
  /// shell version: list, get, defaults, df and snaplist do not).
  bool read_only = false;
  std::vector<Flag> flags = {};
};

/// "create [-c|-b|-e] [property=value ...]": the name, the flags, the operands.
std::string synopsis(const CommandSpec& spec);
/// How a flag is written on a command line: "-f" or "--zfs".
std::string flag_word(const Flag& f);

class CommandTable {
 public:
  static CommandTable& instance();
  void add(CommandSpec spec);
  const CommandSpec* find(const std::string& name) const;
  /// Every command, sorted by name.
  const std::vector<CommandSpec>& all() const;
  /// Closest command names, for "did you mean".
  std::vector<std::string> suggest(const std::string& name) const;

 private:
  mutable std::vector<CommandSpec> m_commands;
  mutable bool m_sorted = false;
};

struct Registration {
  explicit Registration(CommandSpec spec) { CommandTable::instance().add(std::move(spec)); }
};

#define IOCELL_CLI_CONCAT2(a, b) a##b
#define IOCELL_CLI_CONCAT(a, b) IOCELL_CLI_CONCAT2(a, b)
/// IOCELL_COMMAND({"name", "operands", "summary", handler});
#define IOCELL_COMMAND(...) \
  static const ::iocell::cli::Registration IOCELL_CLI_CONCAT(iocell_command_, __LINE__)(::iocell::cli::CommandSpec __VA_ARGS__)

}  // namespace iocell::cli
