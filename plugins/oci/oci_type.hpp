// `iocell create type=oci image=SOURCE`: a jail whose root is an OCI
// image's layers, applied in order with their whiteouts.
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail_type.hpp>

namespace iocell::plugins::oci {

class OciJail : public sdk::JailType {
 public:
  explicit OciJail(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "oci"; }
  bool needs_release() const override { return false; }
  std::vector<sdk::TypeProperty> properties() const override;
  void provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) override;
  /// Dir storage's overlay clones do not survive a reboot: mount again.
  void before_start(sdk::Storage& storage, const sdk::JailSpec& spec) override { storage.mount(spec.dataset); }

 private:
  sdk::HostContext m_host;
};

/// Why `value` is no usable image= value ("" when it is): its grammar, and
/// that the file or layout directory exists.
std::string check_image_value(const std::string& value);

}  // namespace iocell::plugins::oci
