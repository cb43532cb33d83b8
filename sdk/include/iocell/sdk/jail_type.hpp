// Jail types: thickjail, clonejail, basejail, emptyjail (and third parties').
#pragma once

#include <iocell/sdk/export.hpp>

#include <functional>
#include <string>
#include <vector>

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
  /// Where the type puts property values it derives from its source (an
  /// OCI image's command, user and environment); the core stores them in
  /// the new jail's configuration where the user gave none. Null when the
  /// core takes none: the type then logs what it could not apply.
  PropertyMap* derived = nullptr;
};

/// A property a jail type adds to iocell's own (an OCI jail's `image`):
/// set at create and read back with `get` like any other, validated by the
/// type. Its name must not be one of the core's.
struct TypeProperty {
  std::string name;
  /// What the value may be, for the refusal and `get -h`: "oci-archive:PATH, ...".
  std::string allowed;
  std::string help;
  /// Returns "" for a valid value, else why not ("no such file"). Must not
  /// change anything; it runs before the jail exists.
  std::function<std::string(const std::string& value)> check;
};

/// What `update` and `upgrade` do with a jail of a type.
enum class SystemUpdates {
  Own,             ///< the jail holds its own system, patched in place behind a snapshot
  SharedRelease,   ///< it runs its release's system: update patches the release,
                   ///< upgrade switches `release` and merges the jail's /etc
  None,            ///< nothing iocell can patch: both are refused
};

/// How `iocell set release=R` treats a jail of a type.
enum class ReleaseChange {
  ByUpgrade,  ///< refused: the files are the jail's own, only upgrade changes them
  Fetched,    ///< allowed to any fetched release (attached again at the next start)
  Free,       ///< a label the type does not act on: any valid release name
};

/// What `iocell promote` does for a jail of a type.
enum class PromoteMeaning {
  Storage,  ///< the storage reverses the clone relation of the jail's datasets
  Refused,  ///< the type's clones are part of what it is: promote is refused
};

class IOCELL_SDK_EXPORT JailType {
 public:
  virtual ~JailType() = default;
  /// The value of the `type` property this type creates.
  virtual std::string name() const = 0;
  /// Whether a jail of the type is built from a fetched release.
  virtual bool needs_release() const { return true; }
  /// The one-letter `create` shorthand (-c for "c"), or '\0' for none.
  /// Letters are unique among the loaded types; the core's own options win.
  virtual char create_flag() const { return '\0'; }
  /// The type `create` makes when none is named (one per host).
  virtual bool create_default() const { return false; }
  virtual SystemUpdates system_updates() const { return needs_release() ? SystemUpdates::Own : SystemUpdates::None; }
  virtual ReleaseChange release_change() const { return needs_release() ? ReleaseChange::ByUpgrade : ReleaseChange::Free; }
  /// The type a clone of a jail of this type (`iocell clone`, an imported
  /// package) is recorded as; the root is a storage clone either way.
  virtual std::string clone_type() const { return name(); }
  virtual PromoteMeaning promote_meaning() const { return PromoteMeaning::Storage; }
  /// Properties of the type's own that `create` accepts (besides the
  /// core's). Read once a command meets a property name the core does not
  /// know, so they cost nothing to other commands.
  virtual std::vector<TypeProperty> properties() const { return {}; }
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
