// update and upgrade: binary patches and release upgrades behind a
// back-out snapshot.
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/update.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

void report(Invocation& inv, const core::JailRecord& rec, const core::UpdateOutcome& out, const std::string& done) {
  if (inv.ctx.dry_run()) {
    inv.report("", "would " + std::string(done == "updated" ? "update " : "upgrade ") + describe(rec) +
                       (out.release_patched.empty() ? " behind a back-out snapshot" : " through its release " + out.release_patched));
    return;
  }
  if (!out.release_patched.empty()) {
    inv.ctx.out() << "* release " << out.release_patched << " " << done << "; basejail " << describe(rec)
                  << " and every other basejail of it run the new files from their next start\n";
    return;
  }
  inv.ctx.out() << "* " << describe(rec) << " " << done << "\n"
                << "  back-out snapshot: " << out.snapshot << "\n"
                << "  when the jail works: iocell snapremove " << rec.uuid << "@" << out.snapshot << "\n"
                << "  if it does not:      iocell rollback -f " << rec.uuid << "@" << out.snapshot << "\n";
}

int update_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.assignments.empty()) throw core::UsageError("update takes no properties: iocell update TARGET ...");
  return for_each_jail(inv, p.words, false, [&](const core::JailRecord& rec) {
    report(inv, rec, core::update_jail(inv.ctx, rec), "updated");
  });
}

int upgrade_command(Invocation& inv) {
  auto p = parse_args(inv);
  for (const auto& [k, v] : p.assignments)
    if (k != "release") throw core::UsageError("upgrade takes only release=R, not " + k + "=");
  const std::string to = p.assignments.count("release") ? p.assignments.at("release") : std::string();
  return for_each_jail(inv, p.words, false, [&](const core::JailRecord& rec) {
    auto out = core::upgrade_jail(inv.ctx, rec, to);
    report(inv, rec, out, "upgraded to " + inv.ctx.inventory().reload(rec).get("release"));
  });
}

IOCELL_COMMAND({"update", "TARGET ...",
                "apply the latest patches (freebsd-update or pkgbase) behind a back-out snapshot; a basejail's release is patched",
                update_command});
IOCELL_COMMAND({"upgrade", "TARGET ... [release=R]",
                "upgrade jails to release R (default: the host's) behind a back-out snapshot; basejails switch release and merge /etc",
                upgrade_command});

}  // namespace
}  // namespace iocell::cli
