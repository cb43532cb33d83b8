// Package installers: pkg(8) inside FreeBSD jails, the jail's own tool on Linux.
#pragma once

#include <iocell/sdk/export.hpp>

#include <filesystem>
#include <string>
#include <stdexcept>
#include <vector>

#include <iocell/sdk/jail.hpp>
#include <iocell/sdk/runtime.hpp>

namespace iocell::sdk {

/// A release tree built from the base system's own packages (FreeBSD's
/// pkgbase) instead of distribution sets.
struct BaseTreeRequest {
  std::string release;            ///< "15.0-RELEASE"
  std::filesystem::path root;     ///< an empty directory that becomes the release tree
  std::filesystem::path workdir;  ///< host-private scratch for the repository configuration (created)
  std::string url;                ///< the repository; "" = the backend's default for the release
  std::string arch;               ///< "" = the host's
  /// Package sets (FreeBSD: without the FreeBSD-set- prefix). Empty: what
  /// a jail needs.
  std::vector<std::string> sets;
  std::filesystem::path keys;     ///< where the host keeps the signing keys; "" = the backend's default
};

class IOCELL_SDK_EXPORT Packages {
 public:
  virtual ~Packages() = default;
  virtual std::string name() const = 0;
  /// Installs the packages inside the running jail, confined by it (pkg -j,
  /// never a chroot from the host). `runtime` runs the jail's own tool inside
  /// it where the host has no tool that attaches to a jail (Linux).
  virtual void install(const JailSpec& spec, const RunState& state, const std::vector<std::string>& names,
                       Runtime& runtime) = 0;
  /// Whether build_base_tree works here.
  virtual bool builds_base_trees() const { return false; }
  /// Installs req.release into req.root from the base system's packages;
  /// returns the packages installed. Throws InvalidRequest (sdk/errors.hpp)
  /// for a release or set the repository cannot serve, before anything runs.
  virtual std::vector<std::string> build_base_tree(const BaseTreeRequest& req) {
    throw std::runtime_error(name() + " cannot build a release from packages (asked for " + req.release + ")");
  }
};

}  // namespace iocell::sdk
