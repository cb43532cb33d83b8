#include "pkgbase_updater.hpp"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/freebsd_base.hpp>

namespace iocell::plugins::pkg {

namespace fs = std::filesystem;

namespace {

sdk::freebsd::ReleaseVersion version_of(const std::string& release, const std::string& what) {
  auto v = sdk::freebsd::parse_release(release);
  if (!v) throw std::runtime_error(what + " has no FreeBSD release name (release=" + release + ")");
  return *v;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void PkgbaseUpdater::info(const std::string& line) const {
  if (m_host.progress) m_host.progress->info(line);
  else if (m_host.log) m_host.log->info("{}", line);
}

bool PkgbaseUpdater::handles(const fs::path& root) { return sdk::freebsd::is_pkgbase(*m_host.runner, root); }

std::string PkgbaseUpdater::trusted_keys(const fs::path& root, const fs::path& beside, int major) const {
  const std::string key = "pkgbase-" + std::to_string(major);
  const fs::path copy = beside / "pkgbase-keys";
  if (!m_host.dry_run) {
    struct stat st {};
    if (::stat((m_host_keys / key).c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw std::runtime_error("this host has no " + (m_host_keys / key).string() + ", the key FreeBSD-base " + std::to_string(major) +
                               " packages are signed with (a FreeBSD " + std::to_string(major) + " host has it); nothing was changed");
    // A fresh copy each time: a key the host revoked or replaced must not linger.
    std::error_code ec;
    fs::remove_all(copy, ec);
    if (ec) throw std::runtime_error("cannot remove " + copy.string() + ": " + ec.message());
    fs::create_directories(copy, ec);
    if (ec) throw std::runtime_error("cannot create " + copy.string() + ": " + ec.message());
    ::chmod(copy.c_str(), 0700);
    sdk::tree::copy_tree(m_host_keys / key, copy / key);
  }
  // The copy is outside the tree; pkg joins this path to --rootdir, and
  // "ROOT/.." is the directory iocell keeps beside it.
  return "/" + (copy / key).lexically_relative(root).string();
}

void PkgbaseUpdater::upgrade_tree(const fs::path& root, const fs::path& repo_dir, const std::string& release, const std::string& abi,
                                  const std::string& what) {
  const auto v = version_of(release, what);
  const std::string keys = trusted_keys(root, repo_dir.parent_path(), v.major);
  if (!m_host.dry_run) {
    std::error_code ec;
    fs::create_directories(repo_dir, ec);
    if (ec) throw std::runtime_error("cannot create " + repo_dir.string() + ": " + ec.message());
    ::chmod(repo_dir.c_str(), 0700);
    std::ofstream out(repo_dir / "FreeBSD-base.conf", std::ios::trunc);
    out << sdk::freebsd::pkgbase_repo_conf(v, "", keys);
    if (!out.flush()) throw std::runtime_error("cannot write " + (repo_dir / "FreeBSD-base.conf").string());
  }
  sdk::Command cmd({"pkg", "--rootdir", root.string(), "--repo-conf-dir", repo_dir.string(), "-o", "IGNORE_OSVERSION=yes"});
  if (!abi.empty()) cmd.argv.insert(cmd.argv.end(), {"-o", "ABI=" + abi});
  cmd.argv.insert(cmd.argv.end(), {"upgrade", "-y", "-r", "FreeBSD-base"});
  cmd.env["ASSUME_ALWAYS_YES"] = "yes";
  auto res = m_host.runner->run(cmd);
  if (!res.ok())
    throw std::runtime_error("pkg upgrade of " + what + " failed (exit " + std::to_string(res.exit_code) + "): " +
                             trimmed(res.err.empty() ? res.out : res.err));
}

void PkgbaseUpdater::update_release(const fs::path& root, const std::string& release) {
  info("patching release " + release + " with pkg (FreeBSD-base)");
  // releases/<R>/pkgbase-repos: beside the tree, never inside it.
  upgrade_tree(root, root.parent_path() / "pkgbase-repos", release, "", "release " + release);
}

void PkgbaseUpdater::update(const sdk::JailSpec& spec) {
  info("patching " + spec.uuid + " (" + spec.tag + ") with pkg (FreeBSD-base)");
  upgrade_tree(spec.root, spec.home / "pkgbase-repos", spec.props.get("release"), "", "jail " + spec.uuid);
}

void PkgbaseUpdater::upgrade(const sdk::JailSpec& spec, const std::string& to_release) {
  const auto to = version_of(to_release, "the upgrade target");
  // The tree's ABI changes with a major release; pkg would read the old one
  // from the tree's binaries.
  auto arch = m_host.runner->check(sdk::Command({"uname", "-p"})).out;
  arch = trimmed(arch);
  if (arch.empty()) throw std::runtime_error("uname -p printed no processor architecture");
  info("upgrading " + spec.uuid + " (" + spec.tag + ") to " + to_release + " with pkg (FreeBSD-base)");
  upgrade_tree(spec.root, spec.home / "pkgbase-repos", to_release, "FreeBSD:" + std::to_string(to.major) + ":" + arch,
               "jail " + spec.uuid);
}

void PkgbaseUpdater::merge_etc(const sdk::JailSpec& spec, const std::string& from_release, const std::string& to_release) {
  const fs::path releases = m_host.root / "releases";
  const fs::path new_src = releases / to_release / "root/usr/src";
  struct stat st {};
  if (::stat((new_src / "Makefile").c_str(), &st) != 0) {
    // A packaged release rarely carries FreeBSD-src; without sources there
    // is no reference tree to merge from, and the jail keeps its /etc.
    if (m_host.log)
      m_host.log->warn("/etc of {} was not merged: release {} has no /usr/src for etcupdate; compare it with {}", spec.uuid, to_release,
                       (releases / to_release / "root/etc").string());
    return;
  }
  auto conflicts = sdk::freebsd::etcupdate_merge(*m_host.runner, spec.root, spec.home / "etcupdate",
                                                releases / from_release / "root/usr/src", new_src);
  for (const auto& c : conflicts)
    if (m_host.log) m_host.log->warn("/etc of {}: {} is left in conflict (etcupdate resolve -D {})", spec.uuid, c, spec.root.string());
}

}  // namespace iocell::plugins::pkg
