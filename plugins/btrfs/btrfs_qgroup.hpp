// Quota groups through btrfs(8): a per-jail quota is an EXCLUSIVE limit,
// because a referenced limit counts the release a clone shares and would
// make a fresh clone unwritable at once. Limits are addressed by qgroup id
// and the filesystem's mountpoint, never by a path inside the subvolume
// (that form fails with EDQUOT once the subvolume is over its limit).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <iocell/sdk/host.hpp>

namespace iocell::plugins::btrfs {

struct QgroupUsage {
  std::uint64_t referenced = 0;
  std::uint64_t exclusive = 0;
  std::optional<std::uint64_t> max_referenced;
  std::optional<std::uint64_t> max_exclusive;
};

/// "4G", "512M", "1048576" -> bytes; nullopt for "none"/"0"; throws on anything else.
std::optional<std::uint64_t> parse_size(const std::string& prop, const std::string& value);

/// Bytes -> the form `set` takes and zfs get shows: the largest unit that
/// holds it exactly (25165824 -> "24M", 1536 MiB -> "1536M", 1000 -> "1000").
std::string format_size(std::uint64_t bytes);

/// Parses `btrfs qgroup show -reF --raw` output for qgroup 0/<id>.
std::optional<QgroupUsage> parse_qgroup_show(const std::string& out, std::uint64_t subvol_id);

class Qgroups {
 public:
  explicit Qgroups(const sdk::HostContext& host) : m_host(host) {}
  bool enabled(const std::filesystem::path& fs_path);
  /// Enables quota on the filesystem (once) and waits for the first scan,
  /// so that the numbers are right before the first limit applies.
  void ensure_enabled(const std::filesystem::path& fs_path);
  void limit(const std::filesystem::path& fs_path, std::uint64_t subvol_id, bool exclusive, std::optional<std::uint64_t> bytes);
  std::optional<QgroupUsage> show(const std::filesystem::path& subvol, std::uint64_t subvol_id);

 private:
  sdk::HostContext m_host;
  bool m_known_enabled = false;
};

}  // namespace iocell::plugins::btrfs
