// Jail types: thickjail, clonejail, basejail, emptyjail (and third parties').
#pragma once

#include <string>

#include <iocell/sdk/jail.hpp>
#include <iocell/sdk/properties.hpp>
#include <iocell/sdk/storage.hpp>

namespace iocell::sdk {

struct ProvisionRequest {
  std::string uuid;
  /// The jail's dataset, already created by the core under a temporary name
  /// ("jails/.new-<uuid>"); the type creates dataset + "/root" below it.
  std::string dataset;
  std::string release;          ///< "" for types that need none
  std::string release_dataset;  ///< "releases/<release>/root"
  PropertyMap props;
};

class JailType {
 public:
  virtual ~JailType() = default;
  /// The value of the `type` property this type creates.
  virtual std::string name() const = 0;
  virtual bool needs_release() const { return true; }
  virtual void provision(Storage& storage, const ProvisionRequest& req) = 0;
  /// Called before every start (basejails re-attach the release here).
  virtual void before_start(Storage& /*storage*/, const JailSpec& /*spec*/) {}
  /// Called after every stop and after a failed start.
  virtual void after_stop(Storage& /*storage*/, const JailSpec& /*spec*/) {}
  /// Called once the jail's datasets are destroyed: removes what the type
  /// made for the jail outside them (a basejail's snapshots of the base).
  virtual void after_destroy(Storage& /*storage*/, const JailSpec& /*spec*/) {}
};

}  // namespace iocell::sdk
