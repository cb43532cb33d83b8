// Package installers: pkg(8) inside FreeBSD jails, the jail's own tool on Linux.
#pragma once

#include <iocell/sdk/export.hpp>

#include <string>
#include <vector>

#include <iocell/sdk/jail.hpp>
#include <iocell/sdk/runtime.hpp>

namespace iocell::sdk {

class IOCELL_SDK_EXPORT Packages {
 public:
  virtual ~Packages() = default;
  virtual std::string name() const = 0;
  /// Installs the packages inside the running jail, confined by it (pkg -j,
  /// never a chroot from the host). `runtime` runs the jail's own tool inside
  /// it where the host has no tool that attaches to a jail (Linux).
  virtual void install(const JailSpec& spec, const RunState& state, const std::vector<std::string>& names,
                       Runtime& runtime) = 0;
};

}  // namespace iocell::sdk
