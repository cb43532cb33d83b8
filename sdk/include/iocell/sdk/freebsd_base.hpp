// Facts about a FreeBSD base system installed under a root directory, shared
// by the updater plugins (freebsd-update, pkgbase) and the core's pkgbase
// release builder: how to tell a packaged base from a dist-set one, which
// FreeBSD-base repository serves a release, and the /etc merge of etcupdate.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/support/release_name.hpp>

namespace iocell::sdk::freebsd {

/// Whether `rel` exists below `root` as a regular file, looked up without
/// following any symbolic link the tree holds.
inline bool regular_file_in(const std::filesystem::path& root, const std::filesystem::path& rel) {
  try {
    SafeRoot tree(root);
    const auto parent = rel.parent_path();
    UniqueFd dir = tree.open_dir(parent);
    struct stat st {};
    return ::fstatat(dir.get(), rel.filename().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
  } catch (const std::exception&) {
    return false;  // a missing or symlinked component: not there
  }
}

/// Whether the base system at `root` is installed as packages (pkgbase).
/// This is the test freebsd-update(8) makes before it refuses a system:
/// pkg knows a package that installed /usr/bin/uname. Without a package
/// database there is nothing to ask, so dist-set trees cost no process.
inline bool is_pkgbase(CommandRunner& runner, const std::filesystem::path& root) {
  if (!regular_file_in(root, "var/db/pkg/local.sqlite")) return false;
  auto res = runner.run(Command({"pkg", "--rootdir", root.string(), "which", "-q", "/usr/bin/uname"}));
  return res.ok() && res.out.find_first_not_of(" \t\n") != std::string::npos;
}

using ReleaseVersion = support::ReleaseName;

/// "15.0-RELEASE", "15.0-RELEASE-p3", "16.0-CURRENT"; nullopt for anything
/// that is not a FreeBSD release name.
inline std::optional<ReleaseVersion> parse_release(const std::string& name) { return support::parse_freebsd_release(name); }

/// The FreeBSD-base repository of a release: base_release_<minor> serves a
/// release and its patches; development branches and pre-releases are built
/// into base_latest.
inline std::string pkgbase_repo_url(const ReleaseVersion& v) {
  const std::string set = v.branch == "RELEASE" ? "base_release_" + std::to_string(v.minor) : std::string("base_latest");
  return "pkg+https://pkg.FreeBSD.org/${ABI}/" + set;
}

/// A repository configuration (one file of a --repo-conf-dir) that makes
/// FreeBSD-base the only repository, signed with the release's pkgbase key.
/// pkg reads `fingerprints` relative to --rootdir.
/// `fingerprints`: the key directory as pkg will look it up, which is
/// relative to --rootdir (pkg's tests: fingerprint_rootdir).
inline std::string pkgbase_repo_conf(const ReleaseVersion& v, const std::string& url = "", const std::string& fingerprints = "") {
  std::ostringstream out;
  out << "FreeBSD-base: {\n"
      << "  url: \"" << (url.empty() ? pkgbase_repo_url(v) : url) << "\",\n"
      << "  mirror_type: \"" << (url.empty() ? "srv" : "none") << "\",\n"
      << "  signature_type: \"fingerprints\",\n"
      << "  fingerprints: \""
      << (fingerprints.empty() ? "/usr/share/keys/pkgbase-" + std::to_string(v.major) : fingerprints) << "\",\n"
      << "  enabled: yes\n"
      << "}\n";
  return out.str();
}

/// Three-way merge of a jail's /etc from the sources of release `old_src` to
/// those of `new_src` with etcupdate(8). The work directory lives outside the
/// jail (a jail's root user must not steer where the host writes). A work
/// directory without a reference tree gets one extracted from the old
/// sources first. Returns the files left in conflict (etcupdate resolve).
inline std::vector<std::string> etcupdate_merge(CommandRunner& runner, const std::filesystem::path& jail_root,
                                                const std::filesystem::path& workdir, const std::filesystem::path& old_src,
                                                const std::filesystem::path& new_src) {
  auto has_src = [](const std::filesystem::path& src) {
    struct stat st {};
    return ::stat((src / "Makefile").c_str(), &st) == 0 && S_ISREG(st.st_mode);
  };
  if (!has_src(new_src))
    throw std::runtime_error("cannot merge /etc: " + new_src.string() +
                             " holds no FreeBSD sources (etcupdate needs them: fetch the release with src.txz, ftpfiles=\"base.txz src.txz\")");
  struct stat st {};
  if (::stat((workdir / "current").c_str(), &st) != 0) {
    if (!has_src(old_src))
      throw std::runtime_error("cannot merge /etc: no reference tree in " + workdir.string() + " and " + old_src.string() +
                               " holds no FreeBSD sources to build one (fetch the old release with src.txz)");
    runner.check(Command({"etcupdate", "extract", "-D", jail_root.string(), "-d", workdir.string(), "-s", old_src.string()}));
  }
  auto res = runner.check(Command({"etcupdate", "-F", "-D", jail_root.string(), "-d", workdir.string(), "-s", new_src.string()}));
  std::vector<std::string> conflicts;
  static const std::regex conflict("^\\s+C\\s+(\\S+)\\s*$");
  std::istringstream lines(res.out);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line))
    if (std::regex_match(line, m, conflict)) conflicts.push_back(m[1]);
  return conflicts;
}

/// The paths of `paths` that `mount -p` output lists as mount points, in its
/// order (the order of mounting; a path mounted twice comes twice). putfsent
/// (sbin/mount/mount.c) prints the source and the mount point raw, each padded
/// with tabs or followed by one blank, then the type and a tab: a path with
/// blanks cannot be split out of a line, so each known path is looked for
/// whole, after a blank and before "BLANKS TYPE TAB". A union's "<above>:"
/// prefix is stripped by putfsent and needs nothing here.
inline std::vector<std::string> mounted_among(const std::string& mount_p, const std::vector<std::string>& paths) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  std::vector<std::string> out;
  std::istringstream lines(mount_p);
  for (std::string line; std::getline(lines, line);) {
    const std::string* found = nullptr;
    std::size_t found_at = 0;
    for (const auto& p : paths) {
      if (p.empty()) continue;
      for (std::size_t at = line.find(p, 1); at != std::string::npos; at = line.find(p, at + 1)) {
        std::size_t i = at + p.size();
        if (!blank(line[at - 1]) || i >= line.size() || !blank(line[i])) continue;
        while (i < line.size() && blank(line[i])) ++i;
        const std::size_t type_end = line.find('\t', i);
        if (type_end == std::string::npos || type_end == i || line.find(' ', i) < type_end) continue;
        // The mount point is the last field before the type.
        if (!found || at > found_at) {
          found = &p;
          found_at = at;
        }
      }
    }
    if (found) out.push_back(*found);
  }
  return out;
}

}  // namespace iocell::sdk::freebsd
