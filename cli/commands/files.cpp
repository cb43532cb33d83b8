// cp and logs: a jail's files and console log from the host.
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/files.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

// "TARGET:/path" names a path in a jail; anything else is the host's. A
// host path with a colon is written with a slash before it (./a:b).
std::optional<std::pair<std::string, std::string>> jail_side(const std::string& word) {
  const auto colon = word.find(':');
  if (colon == std::string::npos || colon == 0 || word.find('/') < colon) return std::nullopt;
  return std::make_pair(word.substr(0, colon), word.substr(colon + 1));
}

int cp_command(Invocation& inv) {
  auto p = parse_args(inv);
  const std::string usage = "usage: iocell cp HOST_PATH TARGET:/PATH  or  iocell cp TARGET:/PATH HOST_PATH";
  if (p.words.size() != 2 || !p.assignments.empty()) throw core::UsageError(usage);
  const auto from = jail_side(p.words[0]), to = jail_side(p.words[1]);
  if (from.has_value() == to.has_value())
    throw core::UsageError("cp copies between the host and one jail: exactly one side is TARGET:/PATH\n" + usage);
  if (to) {
    const auto rec = inv.ctx.inventory().resolve(to->first);
    const std::string wrote = core::copy_into_jail(inv.ctx, rec, p.words[0], to->second);
    inv.report("copied " + p.words[0] + " to " + describe(rec) + ":" + wrote, "would copy " + p.words[0] + " to " + describe(rec) + ":" + wrote);
  } else {
    const auto rec = inv.ctx.inventory().resolve(from->first);
    const auto wrote = core::copy_out_of_jail(inv.ctx, rec, from->second, p.words[1]);
    inv.report("copied " + describe(rec) + ":" + from->second + " to " + wrote.string(),
               "would copy " + describe(rec) + ":" + from->second + " to " + wrote.string());
  }
  return kExitSuccess;
}

int logs_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1 || !p.assignments.empty()) throw core::UsageError("usage: iocell logs [-f] [-n LINES] TARGET");
  std::optional<std::size_t> lines;
  if (const std::string n = p.value("lines"); !n.empty()) {
    if (n.find_first_not_of("0123456789") != std::string::npos || n.size() > 9)
      throw core::UsageError("logs: -n takes a number of lines, not '" + n + "'");
    lines = static_cast<std::size_t>(std::stoul(n));
  }
  core::print_console_log(inv.ctx, inv.ctx.inventory().resolve(p.words[0]), lines, p.flag("follow"));
  return kExitSuccess;
}

IOCELL_COMMAND({"cp", "HOST_PATH TARGET:/PATH | TARGET:/PATH HOST_PATH",
                "copy a file or directory between the host and a jail, never following a link inside the jail", cp_command});
IOCELL_COMMAND({"logs", "TARGET", "print the jail's console log (what exec_start and exec_stop wrote)", logs_command, {}, false, true,
                {{"follow", 'f', "", "then print what is appended, until interrupted"},
                 {"lines", 'n', "LINES", "only the last LINES lines"}}});

}  // namespace
}  // namespace iocell::cli
