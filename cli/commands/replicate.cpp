// send and receive: a jail replicated to another host, incrementally.
#include <unistd.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/replicate.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

int send_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1 || !p.assignments.empty() || p.value("to").empty())
    throw core::UsageError("usage: iocell send [--cutover] [--force] --to DEST TARGET (DEST: a command such as 'ssh HOST iocell receive')");
  const core::JailRecord rec = resolve_jail(inv.ctx, p.words.front());
  core::SendOptions opts;
  opts.to = p.value("to");
  opts.cutover = p.flag("cutover");
  opts.force = p.flag("force");
  const auto out = core::send_jail(inv.ctx, rec, opts);
  inv.ctx.out() << out.note;
  inv.ctx.out() << "* " << describe(rec) << " replicated at @" << out.snapshot << " (" << out.lines.size() << " streams, "
                << core::mib(out.bytes) << "); the receiving side's snapshots and config match\n";
  if (opts.cutover) inv.ctx.out() << "  cut over: it runs on the receiving side now; here it is stopped with boot=off\n";
  return kExitSuccess;
}

int receive_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.words.empty() || !p.assignments.empty())
    throw core::UsageError("usage: iocell receive [--trust NAME,...|--trust-all] (run by iocell send at the far end of its transport)");
  if (::isatty(STDIN_FILENO) || ::isatty(STDOUT_FILENO))
    throw core::UsageError("iocell receive talks to iocell send over its standard input and output, not to a terminal: "
                           "run iocell send TARGET --to 'ssh HOST iocell receive' on the sending host");
  core::receive_jail(inv.ctx, STDIN_FILENO, STDOUT_FILENO, core::parse_trust(p.value("trust"), p.flag("trust-all")));
  return kExitSuccess;
}

IOCELL_COMMAND({"send", "--to DEST TARGET",
                "replicate a jail to another host: DEST is a command carrying the stream to iocell receive there "
                "('ssh HOST iocell receive'); whole the first time, then incremental, resuming an interrupted transfer",
                send_command, {}, false, false,
                {{"to", 0, "DEST", "the transport: a command (no shell) whose far end runs iocell receive"},
                 {"cutover", 0, "", "stop the jail, send the last increment, start the copy there and leave this one stopped with boot=off"},
                 {"force", 0, "", "snapshot even while a database server runs in the jail"}}});
IOCELL_COMMAND({"receive", "",
                "the far end of iocell send: lands the jail under its UUID, atomically, and answers with what it holds",
                receive_command, {}, false, false,
                {{"trust", 0, "NAME,...", "take these host-acting or privilege-widening properties (or fstab) from the sender", 1},
                 {"trust-all", 0, "", "take every property of the sender, and its fstab", 1}}});

}  // namespace
}  // namespace iocell::cli
