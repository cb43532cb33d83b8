// export and import: whole jails as images, packages onto new jails.
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/transfer.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

int export_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.assignments.empty()) throw core::UsageError("usage: iocell export [--zfs] TARGET ...");
  return for_each_jail(inv, p.words, false, [&](const core::JailRecord& rec) {
    auto out = core::export_jail(inv.ctx, rec, p.flag("zfs"));
    if (inv.ctx.dry_run()) {
      inv.report("", "would export " + describe(rec) + " to " + out.image.string());
      return;
    }
    inv.ctx.out() << "* exported " << describe(rec) << " to " << out.image.string() << "\n"
                  << "  checksum " << out.checksum.string() << ", manifest " << out.manifest.string() << "\n";
  });
}

int import_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1)
    throw core::UsageError("usage: iocell import [--tar|--zfs|--from iocage|bastille] [--trust NAME,...|--trust-all] UUID|FILE [tag=NAME] [release=R] [property=value ...]");
  const core::TrustGrant trust = core::parse_trust(p.value("trust"), p.flag("trust-all"));
  if (p.vars.count("from")) {
    const std::string from = p.value("from");
    if (from != "iocage" && from != "bastille") throw core::UsageError("invalid --from '" + from + "': allowed: iocage or bastille");
    auto out = core::import_foreign(inv.ctx, from == "iocage" ? core::ForeignExport::Iocage : core::ForeignExport::Bastille, p.words.front(),
                                    p.assignments, trust);
    inv.ctx.out() << out.note;
    inv.report("Successfully imported: " + describe(out.jail), "would import " + describe(out.jail));
    return kExitSuccess;
  }
  const core::ArchiveKind kind = p.flag("tar") ? core::ArchiveKind::Tar : p.flag("zfs") ? core::ArchiveKind::Stream : core::ArchiveKind::Any;
  auto out = core::import_archive(inv.ctx, p.words.front(), p.assignments, trust, kind);
  if (!out.note.empty()) inv.ctx.out() << out.note << "\n";
  const std::string what = describe(out.jail) + (out.from_package ? " (a package on a new jail)" : "");
  inv.report("Successfully imported: " + what, "would import " + what);
  return kExitSuccess;
}

IOCELL_COMMAND({"export", "TARGET ...",
                "write a stopped jail to images/ (tar.xz of its root, or --zfs a replication stream) with a checksum and a manifest",
                export_command, {}, false, false, {{"zfs", 0, "", "the storage's replication stream (zfs send -R) instead of a tar.xz of the root"}}});
IOCELL_COMMAND({"import", "UUID|FILE [tag=NAME] [release=R] [property=value ...]",
                "deploy packages/UUID*.tar.xz on a new jail, recreate an exported jail from images/UUID*, or make one from an iocage or Bastille export FILE",
                import_command, {}, false, false,
                {{"tar", 0, "", "the tar.xz image (or package), when a stream image of the same name is there too", 2},
                 {"zfs", 0, "", "the storage's replication stream image, when a tar image of the same name is there too", 2},
                 {"from", 0, "", "FILE is an export of iocage (NAME_DATE.zip or .tar.xz) or Bastille (.txz, .tgz, .tzst or .xz)", 2, {"iocage", "bastille"}},
                 {"trust", 0, "NAME,...", "take these host-acting or privilege-widening properties (or fstab) from the image", 1},
                 {"trust-all", 0, "", "take every property of the image, and a stream's fstab", 1}}});

}  // namespace
}  // namespace iocell::cli
