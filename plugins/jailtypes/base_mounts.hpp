// Read-only mounts of a release's system directories into a jail root
// (basejails on storage without clones of their own per directory).
// Linux: a bind mount remounted read-only; FreeBSD: nullfs -o ro. Every
// target is reached from the jail root one component at a time with
// O_NOFOLLOW (sdk::SafeRoot), and on Linux the mount calls name the opened
// directory itself (/proc/self/fd/N), so a symlink planted in the jail can
// never redirect a mount or an unmount onto the host.
#pragma once

#include <filesystem>
#include <string>

#include <iocell/sdk/host.hpp>

namespace iocell::plugins::jailtypes {

class BaseMounter {
 public:
  explicit BaseMounter(const sdk::HostContext& host) : m_host(host) {}
  /// Mounts source_root/rel read-only at jail_root/rel (creating the
  /// directory). Anything already mounted there is replaced.
  void mount_ro(const std::filesystem::path& source_root, const std::string& rel, const std::filesystem::path& jail_root);
  /// Unmounts jail_root/rel when something is mounted there.
  void unmount(const std::filesystem::path& jail_root, const std::string& rel);
  bool mounted(const std::filesystem::path& jail_root, const std::string& rel) const;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::jailtypes
