// Fetched releases: what `iocell fetch` installs under releases/<R>, and the
// listing `iocell list -r` / `iocell releases` shows.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace iocell::core {

class Context;

struct ReleaseInfo {
  std::string name;             ///< "14.3-RELEASE"
  std::string dataset;          ///< "releases/14.3-RELEASE/root", the source of clones
  std::filesystem::path path;   ///< mountpoint of `dataset` (the tree jails get)
  std::string source;           ///< where it came from (URL of the directory), "" when unknown
  std::vector<std::string> files;  ///< dist files extracted into it ("base.txz", ...)
  std::int64_t fetched_at = 0;  ///< seconds since the epoch, 0 when unknown
  bool patched = false;         ///< freebsd-update (or pkg) ran after extraction
};

/// Every completely fetched release, sorted by name. Staging leftovers of an
/// interrupted fetch (names starting with '.') are never listed.
std::vector<ReleaseInfo> list_releases(Context& ctx);

/// Whether releases/<name>/root exists (the fetch finished).
bool release_fetched(Context& ctx, const std::string& name);

/// "14.3-RELEASE-p3" -> "14.3-RELEASE": releases are stored without the patch
/// level (patches are applied in place). Throws UsageError for a name that is
/// not a release name.
std::string normalize_release_name(const std::string& name);

/// Builds of a development branch live under snapshots/ on the mirrors
/// (-CURRENT, -STABLE, -ALPHA*, -PRERELEASE, as bsdinstall's mirrorselect
/// has it). BETA and RC builds are under releases/.
bool is_snapshot_release(const std::string& name);

/// freebsd-update serves binary updates for it (ALPHA, BETA, RC, RELEASE).
bool has_binary_updates(const std::string& name);

}  // namespace iocell::core
