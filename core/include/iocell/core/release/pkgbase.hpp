// A release tree built from the FreeBSD-base package repository (pkgbase)
// instead of distribution sets: what `fetch release=R pkgbase=yes` calls,
// or a fetch whose mirror has no MANIFEST for R.
//
//   pkg --rootdir ROOT --repo-conf-dir DIR -o IGNORE_OSVERSION=yes -o ABI=FreeBSD:<major>:<arch> update
//   pkg ... rquery -U -r FreeBSD-base %n
//   pkg ... install -U -y -r FreeBSD-base FreeBSD-set-minimal-jail FreeBSD-set-base-jail pkg
//
// as the installer does (usr.sbin/bsdinstall/scripts/pkgbase.in, --jail):
// no kernel packages; the release's signing key copied into the tree first
// (pkg reads `fingerprints` relative to --rootdir); the tree's own
// FreeBSD-base repository enabled afterwards, so that its jails are patched
// with pkg (the "pkgbase" updater).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace iocell::core {

class Context;

struct PkgbaseRequest {
  std::string release;            ///< "15.0-RELEASE"
  std::filesystem::path root;     ///< an empty directory that becomes the release tree (the fetch's staging root)
  std::filesystem::path workdir;  ///< host-private scratch for the repository configuration (created)
  /// "" = pkg+https://pkg.FreeBSD.org/${ABI}/base_release_<minor> (base_latest for -CURRENT, -STABLE, ...)
  std::string url;
  std::string arch;               ///< "" = the host's (uname -p): amd64, aarch64
  /// Package sets without the FreeBSD-set- prefix. Empty: minimal-jail and
  /// base-jail (minimal and base where the repository has no jail variants).
  std::vector<std::string> sets;
  std::filesystem::path keys = "/usr/share/keys";  ///< where the host keeps pkgbase-<major>
};

struct PkgbaseResult {
  std::vector<std::string> packages;  ///< what was installed
};

/// Installs the release into req.root. FreeBSD hosts only (Refused on Linux).
/// Throws UsageError for a release name pkgbase cannot serve or a set the
/// repository does not have (naming the sets it has).
PkgbaseResult install_pkgbase_release(Context& ctx, const PkgbaseRequest& req);

/// The packages to install for `sets` from a FreeBSD-base catalogue (one
/// package name per entry). Kernel sets and packages are never chosen.
std::vector<std::string> choose_pkgbase_packages(const std::vector<std::string>& catalogue, const std::vector<std::string>& sets);

}  // namespace iocell::core
