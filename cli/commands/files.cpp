// cp, logs and fstab: a jail's files, console log and mounts from the host.
#include <cstdlib>
#include <sstream>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/files.hpp>
#include <iocell/core/ops/fstab.hpp>
#include <iocell/core/ops/lifecycle.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../output.hpp"
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
    const auto rec = resolve_jail(inv.ctx, to->first);
    const std::string wrote = core::copy_into_jail(inv.ctx, rec, p.words[0], to->second);
    inv.report("copied " + p.words[0] + " to " + describe(rec) + ":" + wrote, "would copy " + p.words[0] + " to " + describe(rec) + ":" + wrote);
  } else {
    const auto rec = resolve_jail(inv.ctx, from->first);
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
  core::print_console_log(inv.ctx, resolve_jail(inv.ctx, p.words[0]), lines, p.flag("follow"));
  return kExitSuccess;
}

int fstab_command(Invocation& inv) {
  auto p = parse_args(inv);
  const std::string usage = "usage: iocell fstab [-l] TARGET | -a TARGET SOURCE DEST [TYPE [OPTIONS [DUMP [PASS]]]] | -r TARGET N|DEST | -e TARGET";
  // An fstab entry's options hold '=' (mode=1777): the words are taken as
  // written, not as property assignments. Every flag of fstab is a switch.
  std::vector<std::string> words;
  for (const auto& a : inv.args)
    if (a.size() < 2 || a[0] != '-') words.push_back(a);
  if (words.empty()) throw core::UsageError(usage);
  const auto rec = resolve_jail(inv.ctx, words[0]);
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  if (p.flag("add")) {
    if (rest.empty()) throw core::UsageError(usage);
    const auto e = core::fstab_add(inv.ctx, rec, rest);
    inv.report("added to the fstab of " + describe(rec) + ": " + e.source + " on " + e.target_in_jail + " (" + e.type + ", " + e.options + ")",
               "would add " + e.source + " on " + e.target_in_jail + " to the fstab of " + describe(rec));
  } else if (p.flag("remove")) {
    if (rest.size() != 1) throw core::UsageError(usage);
    const auto e = core::fstab_remove(inv.ctx, rec, rest[0]);
    inv.report("removed from the fstab of " + describe(rec) + ": " + e.source + " on " + e.target_in_jail,
               "would remove " + e.source + " on " + e.target_in_jail + " from the fstab of " + describe(rec));
  } else if (p.flag("edit")) {
    if (!rest.empty()) throw core::UsageError(usage);
    std::string editor = "vi";
    for (const char* var : {"EDITOR", "VISUAL"})
      if (const char* v = std::getenv(var); v && *v) editor = v;
    std::vector<std::string> argv;
    std::istringstream editor_words(editor);
    for (std::string w; editor_words >> w;) argv.push_back(w);
    core::fstab_edit(inv.ctx, rec, argv);
    inv.report("the fstab of " + describe(rec) + " is saved", "would save the fstab of " + describe(rec));
  } else {
    if (!rest.empty()) throw core::UsageError(usage);
    const Format fmt = p.flag("json") ? Format::Json : p.flag("scripted") ? Format::Scripted : Format::Human;
    Table t({{"INDEX", "index", true}, {"SOURCE", "source"}, {"MOUNT POINT", "mountpoint"}, {"TYPE", "type"}, {"OPTIONS", "options"}});
    int i = 0;
    for (const auto& e : core::fstab_entries(inv.ctx, rec)) t.add({std::to_string(++i), e.source, e.target_in_jail, e.type, e.options});
    t.render(inv.ctx.out(), fmt, "fstab");
    return kExitSuccess;
  }
  // jail(8) mounts the fstab when the jail starts.
  if (core::run_state(inv.ctx, rec)) inv.ctx.out() << describe(rec) << " is running: the change applies at its next start\n";
  return kExitSuccess;
}

IOCELL_COMMAND({"cp", "HOST_PATH TARGET:/PATH | TARGET:/PATH HOST_PATH",
                "copy a file or directory between the host and a jail, never following a link inside the jail", cp_command});
IOCELL_COMMAND({"logs", "TARGET", "print the jail's console log (what exec_start and exec_stop wrote)", logs_command, {}, false, true,
                {{"follow", 'f', "", "then print what is appended, until interrupted"},
                 {"lines", 'n', "LINES", "only the last LINES lines"}}});
IOCELL_COMMAND({"fstab", "TARGET [SOURCE DEST [TYPE [OPTIONS [DUMP [PASS]]]]|N|DEST]",
                "list, add, remove or edit the entries of a jail's fstab, each checked before the file changes", fstab_command, {}, false, false,
                with_output_flags({{"list", 'l', "", "list the entries, numbered (the default)", 1},
                                   {"add", 'a', "", "add SOURCE on DEST (inside the jail); TYPE nullfs and OPTIONS ro unless given", 1},
                                   {"remove", 'r', "", "remove entry N, or the one mounted on DEST", 1},
                                   {"edit", 'e', "", "edit it in $VISUAL or $EDITOR; the result is checked before it replaces the fstab", 1}})});

}  // namespace
}  // namespace iocell::cli
