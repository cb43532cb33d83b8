// Subvolume primitives. In-process ioctls, because a snapshot through
// btrfs(8) costs several times as much (tests/bench/create_clone_btrfs.cpp
// compares against it); under --dry-run the
// same steps go to the runner as btrfs(8) commands, which records them and
// changes nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>

namespace iocell::plugins::btrfs {

struct SubvolInfo {
  std::uint64_t id = 0;
  std::int64_t otime_ns = 0;  ///< creation time
  bool readonly = false;
};

bool on_btrfs(const std::filesystem::path& p);
/// A directory that is the root of a subvolume (inode 256).
bool is_subvolume(const std::filesystem::path& p);
SubvolInfo subvol_info(const std::filesystem::path& p);
/// The filesystem UUID, as in /sys/fs/btrfs/<uuid>.
std::string fs_uuid(const std::filesystem::path& p);
/// Subvolumes nested (at any depth) in the subvolume at `p`, as paths
/// relative to it, parents first. Asked of btrfs, not found by a walk.
std::vector<std::string> nested_subvolumes(const std::filesystem::path& p);

class Subvolumes {
 public:
  explicit Subvolumes(const sdk::HostContext& host) : m_host(host) {}
  void create(const std::filesystem::path& path);
  void snapshot(const std::filesystem::path& source, const std::filesystem::path& dest, bool readonly);
  /// Deletes the subvolume and every subvolume nested in it, deepest first.
  /// The space comes back later (the cleaner); see wait_cleaner.
  void remove(const std::filesystem::path& path);
  void set_readonly(const std::filesystem::path& path, bool readonly);
  /// Waits until every deleted subvolume of the filesystem is really gone.
  void wait_cleaner(const std::filesystem::path& any_path);

 private:
  void remove_one(const std::filesystem::path& path);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::btrfs
