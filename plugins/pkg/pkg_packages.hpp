// sdk::Packages over `pkg -j JID install`: the host's pkg attaches to the
// jail and uses the jail's configuration, network and ABI; package scripts
// run confined by the jail. Never `pkg -c` (a chroot runs them as host root)
// nor `pkg -r` (scripts run on the host).
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/packages.hpp>

namespace iocell::plugins::pkg {

class PkgPackages : public sdk::Packages {
 public:
  explicit PkgPackages(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "pkg"; }
  void install(const sdk::JailSpec& spec, const sdk::RunState& state, const std::vector<std::string>& names,
               sdk::Runtime& runtime) override;
  bool builds_base_trees() const override { return true; }
  std::vector<std::string> build_base_tree(const sdk::BaseTreeRequest& req) override;

 private:
  sdk::HostContext m_host;
};

/// Throws naming the first word that could be taken for an option or that
/// is no single word.
void check_package_names(const std::vector<std::string>& names);

}  // namespace iocell::plugins::pkg
