// Jail types whose root is one storage operation: a thick copy, a clone of
// a snapshot of the release, or an empty directory.
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail_type.hpp>

namespace iocell::plugins::jailtypes {

/// The root a jail type provisions below the jail's dataset.
inline std::string root_dataset(const std::string& jail_dataset) { return jail_dataset + "/root"; }

/// Throws, naming the release and the fix, when it has not been fetched.
void require_release(sdk::Storage& storage, const sdk::ProvisionRequest& req);

/// `create`: a fully independent copy of the release (storage.copy).
class ThickJail : public sdk::JailType {
 public:
  explicit ThickJail(const sdk::HostContext& /*host*/) {}
  std::string name() const override { return "thickjail"; }
  bool create_default() const override { return true; }
  std::string clone_type() const override { return "clonejail"; }
  void provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) override;
  void before_start(sdk::Storage& storage, const sdk::JailSpec& spec) override;
};

/// `create -c`: a copy-on-write clone of release@<uuid>.
class CloneJail : public sdk::JailType {
 public:
  explicit CloneJail(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "clonejail"; }
  char create_flag() const override { return 'c'; }
  void provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) override;
  /// Overlay clones (dir storage) do not survive a reboot: mount again.
  void before_start(sdk::Storage& storage, const sdk::JailSpec& spec) override;

 private:
  sdk::HostContext m_host;
};

/// `create -e`: an empty root for custom or foreign systems.
class EmptyJail : public sdk::JailType {
 public:
  explicit EmptyJail(const sdk::HostContext& /*host*/) {}
  std::string name() const override { return "emptyjail"; }
  bool needs_release() const override { return false; }
  char create_flag() const override { return 'e'; }
  /// Its clone is a plain copy-on-write root like any other.
  std::string clone_type() const override { return "clonejail"; }
  void provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) override;
};

}  // namespace iocell::plugins::jailtypes
