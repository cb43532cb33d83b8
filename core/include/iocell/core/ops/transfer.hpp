// export and import: whole jails as images (images/), and packages
// (packages/, made by `package`) deployed onto a new vanilla jail.
//
// An image is images/<UUID>-<type>-<YYYY-MM-DD>_<release>.tar.xz (the jail's
// root), or .<storage> for a replication stream (zfs send -R), with a
// .sha256 and a .json manifest (uuid, tag, type, release, properties) beside
// it. Nothing is unpacked before its checksum matches; archives go through
// the secure extractor (no "..", no absolute paths, nothing through a
// symlink, no device nodes), and a refused archive leaves no jail behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <iocell/core/config_store.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/trust.hpp>
#include <iocell/sdk/archive.hpp>

namespace iocell::core {

class Context;

/// What an archive of `stats` expands to in the extractor's count (file
/// data and 512 bytes an entry): the manifest's "expanded_bytes", which an
/// import holds the archive to.
std::uint64_t expanded_bytes(const sdk::TarStats& stats);

struct ExportOutcome {
  std::filesystem::path image;
  std::filesystem::path checksum;
  std::filesystem::path manifest;
  std::uint64_t entries = 0;  ///< tar entries (0 for a stream)
};

/// export [--zfs] TARGET: the jail must be stopped. `stream` sends the
/// storage's replication stream of every dataset of the jail (Storage::send)
/// instead of a tar of its root.
ExportOutcome export_jail(Context& ctx, const JailRecord& rec, bool stream);

struct ImportOutcome {
  JailRecord jail;
  bool from_package = false;  ///< a package laid over a new thin jail
  std::uint64_t entries = 0;
  std::string note;           ///< what changed on the way (a new UUID, a new tag)
};

/// import PREFIX [tag=T] [release=R]: a package (packages/PREFIX*.tar.xz)
/// becomes a new thin jail of its release with the package on its root; an
/// image (images/PREFIX*) becomes the jail it was, with its properties (a
/// tar image as a thickjail; a new UUID when the old one is taken; the tag
/// kept unless taken or given).
/// Host-acting and privilege-widening properties of the manifest, and a
/// stream's fstab, are taken only when `trust` names them (core/trust.hpp);
/// the rest of the note lists what was left out.
/// Which archives a prefix may match: with a tar image and a stream image of
/// one jail side by side, the admin picks one (import --tar / --zfs).
enum class ArchiveKind { Any, Tar, Stream };
ImportOutcome import_archive(Context& ctx, const std::string& prefix, const PropertyValues& props, const TrustGrant& trust,
                             ArchiveKind kind = ArchiveKind::Any);

/// Exports of other jail managers: `iocage export` (a zip or tar.xz of one
/// zfs send stream per dataset, NAME_DATE and NAME_DATE_root), and
/// `bastille export` (a tarball of the jail's directory, NAME/{jail.conf,
/// fstab,root}, or an xz-compressed zfs send stream of it). The jail gets a
/// new UUID and its name as tag; its config (iocage's config.json,
/// Bastille's jail.conf) is mapped like migrate maps it, then filtered like
/// an image's manifest: what acts on the host or widens privileges, and
/// the jail's fstab, only with `trust`. A checksum file beside the archive
/// (FILE.sha256, or iocage's NAME_DATE.sha256) must match.
enum class ForeignExport { Iocage, Bastille };
ImportOutcome import_foreign(Context& ctx, ForeignExport from, const std::filesystem::path& file, const PropertyValues& props,
                             const TrustGrant& trust);

}  // namespace iocell::core
