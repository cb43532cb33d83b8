// sdk::Packages for Linux jails: the jail's own package tool, found in the
// jail's tree without following any symlink the jail planted, and run inside
// the jail (its network, its root, its confinement), never on the host.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/packages.hpp>

namespace iocell::plugins::linux_pkg {

struct PackageTool {
  std::string name;  ///< "apk", "apt-get", "dnf"
  std::string path;  ///< inside the jail: "/sbin/apk"
  /// The commands to run in order; the names are appended to the last one.
  std::vector<std::vector<std::string>> steps;
  std::map<std::string, std::string> env;
};

/// The first package tool the tree at `root` has, in the order apk, apt-get,
/// dnf; nullopt when none.
std::optional<PackageTool> detect_tool(const std::filesystem::path& root);

class LinuxPackages : public sdk::Packages {
 public:
  explicit LinuxPackages(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "pkg"; }
  void install(const sdk::JailSpec& spec, const sdk::RunState& state, const std::vector<std::string>& names,
               sdk::Runtime& runtime) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_pkg
