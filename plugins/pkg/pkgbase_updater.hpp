// sdk::Updater "pkgbase": systems whose base is installed as packages, which
// freebsd-update refuses. Patches and upgrades are `pkg upgrade -r
// FreeBSD-base` relocated into the tree (--rootdir), with a repository
// configuration iocell writes outside the tree: the tree's own pkg.conf and
// repositories were written by the jail's root user, and a relocated pkg
// runs package scripts on the host. For the same reason the trusted keys are
// the host's, copied beside the tree: pkg reads `fingerprints` relative to
// --rootdir, so /usr/share/keys would be the jail's own choice of keys (and a
// major upgrade would need the new major's key in the old tree).
#pragma once

#include <filesystem>
#include <string>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/updater.hpp>

namespace iocell::plugins::pkg {

class PkgbaseUpdater : public sdk::Updater {
 public:
  /// `host_keys`: where this host keeps pkgbase-<major>, the keys trusted
  /// for FreeBSD-base packages.
  explicit PkgbaseUpdater(const sdk::HostContext& host, std::filesystem::path host_keys = "/usr/share/keys")
      : m_host(host), m_host_keys(std::move(host_keys)) {}

  std::string name() const override { return "pkgbase"; }
  bool handles(const std::filesystem::path& root) override;
  void update_release(const std::filesystem::path& root, const std::string& release) override;
  void update(const sdk::JailSpec& spec) override;
  void upgrade(const sdk::JailSpec& spec, const std::string& to_release) override;
  void merge_etc(const sdk::JailSpec& spec, const std::string& from_release, const std::string& to_release) override;

 private:
  /// pkg --rootdir ROOT --repo-conf-dir DIR -o IGNORE_OSVERSION=yes [-o ABI=..] upgrade -y -r FreeBSD-base
  void upgrade_tree(const std::filesystem::path& root, const std::filesystem::path& repo_dir, const std::string& release,
                    const std::string& abi, const std::string& what);
  /// Copies the host's pkgbase-<major> key beside the tree and returns the
  /// path pkg reaches it by from --rootdir.
  std::string trusted_keys(const std::filesystem::path& root, const std::filesystem::path& beside, int major) const;
  void info(const std::string& line) const;

  sdk::HostContext m_host;
  std::filesystem::path m_host_keys;
};

}  // namespace iocell::plugins::pkg
