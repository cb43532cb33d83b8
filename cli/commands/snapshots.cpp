// snapshot, snaplist, snapremove, rollback, promote: whole-jail snapshots.
#include <ctime>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/snapshots.hpp>
#include <iocell/core/release/progress.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../output.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

// TARGET@SNAPSHOT for the commands that need a snapshot name.
std::pair<core::JailRecord, std::string> snapshot_word(Invocation& inv, const Parsed& p) {
  if (p.words.size() != 1 || !p.assignments.empty()) {
    auto* spec = CommandTable::instance().find(inv.command);
    throw core::UsageError("usage: iocell " + (spec ? synopsis(*spec) : inv.command));
  }
  auto [rec, snap] = resolve_snapshot_target(inv.ctx, p.words.front());
  if (snap.empty()) throw core::UsageError(inv.command + " needs TARGET@SNAPSHOT (iocell snaplist " + rec.uuid + " shows the snapshots)");
  return {rec, snap};
}

std::string created_text(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M %Y", &tm);
  return buf;
}

int snapshot_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1 || !p.assignments.empty()) throw core::UsageError("usage: iocell snapshot [-f] TARGET[@SNAPSHOT]");
  auto [rec, snap] = resolve_snapshot_target(inv.ctx, p.words.front());
  if (snap.empty()) snap = core::timestamp_snapshot_name(inv.ctx, "ioc-");
  core::snapshot_jail(inv.ctx, rec, snap, p.flag("force"));
  inv.report("Snapshot " + rec.uuid + "@" + snap + " created", "would create snapshot " + rec.uuid + "@" + snap);
  return kExitSuccess;
}

int snaplist_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1) throw core::UsageError("usage: iocell snaplist [-H] [--json] TARGET");
  auto rec = resolve_jail(inv.ctx, p.words.front());
  const Format fmt = p.flag("json") ? Format::Json : p.flag("scripted") ? Format::Scripted : Format::Human;
  Table t({{"NAME", "name"}, {"CREATED", "created", true}, {"RSIZE", "rsize", true}, {"USED", "used", true}});
  for (const auto& s : core::list_jail_snapshots(inv.ctx, rec)) {
    // JSON and -H carry exact numbers (epoch seconds, bytes); people read dates and sizes.
    if (fmt == Format::Human)
      t.add({s.name, created_text(s.created), core::human_bytes(s.referenced), core::human_bytes(s.used)});
    else
      t.add({s.name, std::to_string(s.created), std::to_string(s.referenced), std::to_string(s.used)});
  }
  t.render(inv.ctx.out(), fmt, "snapshots");
  return kExitSuccess;
}

int snapremove_command(Invocation& inv) {
  auto p = parse_args(inv);
  auto [rec, snap] = snapshot_word(inv, p);
  for (const auto& n : core::remove_jail_snapshot(inv.ctx, rec, snap)) inv.report("Snapshot " + rec.uuid + "@" + n + " removed", "would remove snapshot " + rec.uuid + "@" + n);
  return kExitSuccess;
}

int rollback_command(Invocation& inv) {
  auto p = parse_args(inv);
  auto [rec, snap] = snapshot_word(inv, p);
  core::rollback_jail(inv.ctx, rec, snap, p.flag("force"));
  inv.report(describe(rec) + " rolled back to " + snap, "would roll " + describe(rec) + " back to " + snap);
  return kExitSuccess;
}

int promote_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1 || !p.assignments.empty()) throw core::UsageError("usage: iocell promote TARGET");
  auto rec = resolve_jail(inv.ctx, p.words.front());
  for (const auto& line : core::promote_jail(inv.ctx, rec)) inv.ctx.out() << line << "\n";
  return kExitSuccess;
}

IOCELL_COMMAND({"snapshot", "TARGET[@SNAPSHOT]",
                "snapshot every dataset of a jail at one instant (default name ioc-<date>_<time>)", snapshot_command, {}, false, false, {{"force", 'f', "", "snapshot even while a database server runs in the jail"}}});
IOCELL_COMMAND({"snaplist", "TARGET", "list a jail's snapshots: name, creation, referenced and used size",
                snaplist_command, {}, false, false, with_output_flags()});
IOCELL_COMMAND({"snapremove", "TARGET@SNAPSHOT|TARGET@ALL", "remove a snapshot (ALL: every snapshot no clone depends on)",
                snapremove_command});
IOCELL_COMMAND({"rollback", "TARGET@SNAPSHOT",
                "roll every dataset of a jail back to a snapshot, discarding later ones (-f: a running jail is restarted)",
                rollback_command, {}, false, false, {{"force", 'f', "", "stop a running jail, roll back, start it again"}}});
IOCELL_COMMAND({"promote", "TARGET", "make a clone independent of its source, so that the source can be destroyed",
                promote_command});

}  // namespace
}  // namespace iocell::cli
