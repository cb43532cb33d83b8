// iocell fetch: download, verify and extract a FreeBSD release into
// releases/<R>/root, in one streaming pass per distribution set.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace iocell::core {

class Context;

struct FetchRequest {
  /// Empty: the host's release (FreeBSD); required on Linux.
  std::string release;
  /// Empty: the system default (`iocell set ftphost=... default`), else the
  /// built-in one. A URL keeps its scheme; a bare host name is fetched over
  /// https when it is download.freebsd.org, over ftp otherwise (the form of
  /// the mirrors in bsdinstall's mirrorselect).
  std::string ftphost;
  /// The directory holding MANIFEST and the sets. Default: the installer's
  /// <releases|snapshots>/<machine>/<machine_arch>/<R>/, under /pub/FreeBSD/
  /// on a mirror and at the top of download.freebsd.org.
  std::string ftpdir;
  /// Sets to fetch, separated by blanks or commas.
  std::string ftpfiles;
  /// Take the sets from this local directory instead of a mirror.
  std::string ftplocaldir;
  /// Build the release from the FreeBSD-base package repository (pkgbase)
  /// instead of distribution sets. A FreeBSD fetch whose mirror has no
  /// MANIFEST for the release falls back to it too (FreeBSD 16 plans to ship
  /// no sets).
  bool pkgbase = false;
};

struct FetchResult {
  std::string release;
  bool already_present = false;  ///< nothing was done: it was fetched before
  std::filesystem::path root;    ///< releases/<R>/root's mountpoint
};

/// Where a fetch would take the files from: the directory URL, ending in '/'.
std::string release_source_url(Context& ctx, const FetchRequest& req, const std::string& release);

/// Fetches the release. Progress goes to ctx.host().progress (may be null).
/// Two fetches of one release serialize on a lock; the second finds the
/// release present. On any failure nothing appears under releases/<R> and
/// the downloaded bytes stay under download/<R>/ for the next attempt.
FetchResult fetch_release(Context& ctx, const FetchRequest& req);

}  // namespace iocell::core
