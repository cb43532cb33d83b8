// Recorders: capture every change to a jail root in an upper layer
// (unionfs on FreeBSD, overlayfs on Linux).
#pragma once

#include <iocell/sdk/export.hpp>

#include <filesystem>
#include <string>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

class IOCELL_SDK_EXPORT Recorder {
 public:
  virtual ~Recorder() = default;
  virtual std::string name() const = 0;
  /// Mounts `upper` over spec.root so that changes land in `upper`.
  virtual void start(const JailSpec& spec, const std::filesystem::path& upper) = 0;
  virtual void stop(const JailSpec& spec) = 0;
  virtual bool active(const JailSpec& spec) = 0;
};

}  // namespace iocell::sdk
