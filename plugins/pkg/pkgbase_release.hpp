// A release tree built from the FreeBSD-base package repository (pkgbase)
// instead of distribution sets: `fetch release=R pkgbase=yes`, or a fetch
// whose mirror has no MANIFEST for R.
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

#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/packages.hpp>

namespace iocell::plugins::pkg {

/// Installs req.release into req.root (see sdk::Packages::build_base_tree).
/// req.keys "" is /usr/share/keys; req.url "" is
/// pkg+https://pkg.FreeBSD.org/${ABI}/base_release_<minor> (base_latest for
/// -CURRENT, -STABLE, ...).
std::vector<std::string> build_pkgbase_release(const sdk::HostContext& host, const sdk::BaseTreeRequest& req);

/// The packages to install for `sets` from a FreeBSD-base catalogue (one
/// package name per entry). Kernel sets and packages are never chosen.
/// Throws sdk::InvalidRequest for a set the catalogue lacks.
std::vector<std::string> choose_pkgbase_packages(const std::vector<std::string>& catalogue, const std::vector<std::string>& sets);

}  // namespace iocell::plugins::pkg
