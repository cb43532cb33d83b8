// What the zfs storage learns from the kernel without starting a process:
// which ZFS dataset is mounted where (statfs(2) on FreeBSD). That is what
// lets initialize() on a prepared host cost no zfs call at all.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace iocell::plugins::zfs {

class HostProbe {
 public:
  virtual ~HostProbe() = default;
  /// The ZFS dataset mounted exactly at `path` ("tank/iocell"), "" when
  /// `path` is no mount point or not a ZFS one.
  virtual std::string zfs_mounted_at(const std::filesystem::path& path) const = 0;
  /// Whether `path` is a directory with at least one entry.
  virtual bool has_entries(const std::filesystem::path& path) const = 0;
};

/// statfs(2) on FreeBSD; /proc/self/mountinfo elsewhere (ZFS on Linux).
std::unique_ptr<HostProbe> make_system_probe();

}  // namespace iocell::plugins::zfs
