// record start|stop and package: jail packages, the documented workflow.
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/record.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

int record_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() < 2 || (p.words.front() != "start" && p.words.front() != "stop") || !p.assignments.empty())
    throw core::UsageError("usage: iocell record start|stop TARGET ...");
  const bool start = p.words.front() == "start";
  std::vector<std::string> targets(p.words.begin() + 1, p.words.end());
  return for_each_jail(inv, targets, false, [&](const core::JailRecord& rec) {
    if (start) {
      auto out = core::record_start(inv.ctx, rec);
      inv.ctx.out() << "* recording " << describe(rec) << ": every change from now on lands in " << core::recorded_dir(rec).string()
                    << "\n";
      if (out.restarted)
        inv.ctx.out() << "  the jail was restarted: a running jail does not see a layer mounted under its root\n";
      return;
    }
    auto out = core::record_stop(inv.ctx, rec);
    inv.ctx.out() << "* stopped recording " << describe(rec) << "; the changes are in " << core::recorded_dir(rec).string() << "\n"
                  << "  pruned " << out.pruned.files << " empty or login-record file(s) and " << out.pruned.dirs
                  << " empty director(ies)\n";
    if (out.pruned.deletions > 0)
      inv.ctx.out() << "  " << out.pruned.deletions << " deletion(s) were dropped: a package only adds and replaces files\n";
    if (out.restarted) inv.ctx.out() << "  the jail was restarted without the recording layer\n";
    inv.ctx.out() << "  review them, then: iocell package " << rec.uuid << "\n";
  });
}

int package_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.assignments.empty()) throw core::UsageError("usage: iocell package TARGET ...");
  return for_each_jail(inv, p.words, false, [&](const core::JailRecord& rec) {
    auto out = core::package_jail(inv.ctx, rec);
    inv.ctx.out() << "* package of " << describe(rec) << ": " << out.archive.string() << " (" << out.entries << " entries)\n"
                  << "  SHA-256 " << out.sha256 << " in " << out.checksum.string() << "\n"
                  << "  deploy it on a new jail of the same release: iocell import " << rec.uuid << " tag=NAME\n";
  });
}

IOCELL_COMMAND({"record", "start|stop TARGET ...",
                "record every change to a jail's files in <jail>/recorded (unionfs, overlayfs), for a package", record_command});
IOCELL_COMMAND({"package", "TARGET ...", "pack a jail's recorded changes as packages/<UUID>.tar.xz with a SHA-256 file",
                package_command});

}  // namespace
}  // namespace iocell::cli
