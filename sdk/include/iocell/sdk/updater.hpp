// Updaters: freebsd-update(8) (dist-set systems) and pkg (pkgbase systems).
#pragma once

#include <iocell/sdk/export.hpp>

#include <filesystem>
#include <string>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

class IOCELL_SDK_EXPORT Updater {
 public:
  virtual ~Updater() = default;
  virtual std::string name() const = 0;
  /// Whether this updater manages the system installed at root (freebsd-update
  /// refuses pkgbase systems; pkg serves only them).
  virtual bool handles(const std::filesystem::path& root) = 0;
  /// Latest patches of `release` into a fetched release tree.
  virtual void update_release(const std::filesystem::path& root, const std::string& release) = 0;
  /// Latest patches into a jail's own root (the core snapshots first).
  virtual void update(const JailSpec& spec) = 0;
  /// Upgrades a jail's root to `to_release` (the core snapshots first and
  /// rolls back on failure).
  virtual void upgrade(const JailSpec& spec, const std::string& to_release) = 0;
  /// Merges /etc of a basejail after its release changed (etcupdate).
  virtual void merge_etc(const JailSpec& spec, const std::string& from_release, const std::string& to_release) = 0;
};

}  // namespace iocell::sdk
