// iocell migrate [--dry-run] [--from iocell|iocage] [--path DIR] [POOL]
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/migrate.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"

namespace iocell::cli {
namespace {

using core::MigratedJail;

// "write F" -> "would write F" or "wrote F".
std::string action_text(const std::string& a, bool dry) {
  if (dry) return "would " + a;
  for (const auto& [now, done] : {std::pair<std::string, std::string>{"write ", "wrote "}, {"run: ", "ran: "}, {"rename ", "renamed "}})
    if (a.compare(0, now.size(), now) == 0) return done + a.substr(now.size());
  return a;
}

void print_jail(std::ostream& out, const MigratedJail& j, bool dry) {
  const std::string who = j.uuid.empty() ? j.location : j.uuid + (j.tag.empty() ? "" : " (" + j.tag + ")") + " in " + j.location;
  if (j.status == MigratedJail::Status::AlreadyThere) {
    out << "already migrated: " << who << ": " << j.error << "\n";
    return;
  }
  if (j.status == MigratedJail::Status::Failed) {
    out << "not migrated: " << core::legacy_name(j.kind) << " jail " << who << ": " << j.error << "\n";
    return;
  }
  out << (dry ? "would migrate " : "migrated ") << core::legacy_name(j.kind) << " jail " << j.uuid << " (" << j.tag << ") from "
      << j.location << "\n";
  for (const auto& n : j.mapped.notes) out << "  note: " << n << "\n";
  for (const auto& d : j.mapped.dropped) out << "  not kept: " << d.name << "=" << d.value << ": " << d.reason << "\n";
  for (const auto& a : j.actions) out << "  " << action_text(a, dry) << "\n";
}

int migrate_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.assignment_list.empty()) throw core::UsageError("migrate takes no property=value pairs");
  if (p.words.size() > 1) throw core::UsageError("usage: iocell migrate [--dry-run] [--from iocell|iocage] [--path DIR] [POOL]");
  core::MigrateRequest req;
  if (p.vars.count("from")) {
    const std::string from = p.value("from");
    if (from == "iocell") req.from = core::LegacyKind::Iocell;
    else if (from == "iocage") req.from = core::LegacyKind::Iocage;
    else throw core::UsageError("invalid --from '" + from + "': allowed: iocell (the shell iocell 2.x) or iocage (iocage 1.x)");
  }
  if (!p.words.empty()) req.pool = p.words.front();
  if (p.vars.count("path")) {
    req.iocage_dir = p.value("path");
    if (req.iocage_dir.empty() || req.iocage_dir[0] != '/')
      throw core::UsageError("invalid --path '" + req.iocage_dir + "': allowed: an absolute path, the directory holding iocage's jails/ (such as /iocage)");
  }
  req.dry_run = p.flag("dry-run") || inv.ctx.dry_run();

  const auto report = core::migrate(inv.ctx, req);
  auto& out = inv.ctx.out();
  for (const auto& n : report.notes) out << "note: " << n << "\n";
  for (const auto& j : report.jails) print_jail(out, j, report.dry_run);
  for (const auto& n : report.defaults.notes) out << "note: " << n << "\n";
  for (const auto& d : report.defaults.dropped) out << "default not kept: " << d.name << "=" << d.value << ": " << d.reason << "\n";
  for (const auto& [k, v] : report.defaults.props) out << (report.dry_run ? "would set default " : "set default ") << k << "=" << v << "\n";

  using S = MigratedJail::Status;
  const size_t done = report.count(S::Migrated), there = report.count(S::AlreadyThere), failed = report.count(S::Failed);
  if (report.jails.empty()) {
    out << "no legacy jails found\n";
    return kExitSuccess;
  }
  out << (report.dry_run ? "would migrate " : "migrated ") << done << " of " << report.jails.size() << " legacy jails";
  if (there) out << ", " << there << " already migrated";
  if (failed) out << ", " << failed << " not migrated";
  out << "\n";
  if (failed == 0) return kExitSuccess;
  return done + there > 0 ? kExitPartial : kExitFailure;
}

IOCELL_COMMAND({"migrate", "[POOL]",
                "turn jails of the shell iocell (UCL config) and of iocage (ZFS user properties, or Python iocage's config.json) into iocell jails",
                migrate_command, {}, false, false, {{"dry-run", 'n', "", "say what would be migrated, change nothing"}, {"from", 0, "", "iocell (the shell version) or iocage (1.x and Python iocage)", 0, {"iocell", "iocage"}},
                 {"path", 0, "DIR", "Python iocage's directory (holding jails/, templates/, releases/), when not on this root's pool"}}});

}  // namespace
}  // namespace iocell::cli
