#include "btrfs_qgroup.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "btrfs_subvol.hpp"

namespace iocell::plugins::btrfs {

std::optional<std::uint64_t> parse_size(const std::string& prop, const std::string& value) {
  if (value == "none" || value == "0") return std::nullopt;
  size_t i = 0;
  while (i < value.size() && std::isdigit(static_cast<unsigned char>(value[i]))) ++i;
  const std::string digits = value.substr(0, i), suffix = value.substr(i);
  static const std::string units = "KMGTPE";
  int shift = 0;
  if (suffix.size() == 1) {
    size_t u = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0]))));
    if (u == std::string::npos) shift = -1;
    else shift = 10 * static_cast<int>(u + 1);
  } else if (!suffix.empty()) {
    shift = -1;
  }
  if (digits.empty() || digits.size() > 19 || shift < 0)
    throw std::invalid_argument(prop + " must be a size such as 512M, 4G or 1T, or none; not '" + value + "'");
  std::uint64_t n = std::stoull(digits);
  if (shift > 0 && n > (UINT64_MAX >> shift)) throw std::invalid_argument(prop + "=" + value + " is too large");
  return n << shift;
}

std::string format_size(std::uint64_t bytes) {
  static const std::string units = "KMGTPE";
  int unit = -1;
  while (bytes != 0 && unit + 1 < static_cast<int>(units.size()) && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + (unit < 0 ? "" : std::string(1, units[static_cast<size_t>(unit)]));
}

std::optional<QgroupUsage> parse_qgroup_show(const std::string& out, std::uint64_t subvol_id) {
  const std::string want = "0/" + std::to_string(subvol_id);
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.size() < 5 || w[0] != want) continue;
    auto num = [](const std::string& s) -> std::optional<std::uint64_t> {
      if (s == "none" || s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
      return std::stoull(s);
    };
    QgroupUsage u;
    u.referenced = num(w[1]).value_or(0);
    u.exclusive = num(w[2]).value_or(0);
    u.max_referenced = num(w[3]);
    u.max_exclusive = num(w[4]);
    return u;
  }
  return std::nullopt;
}

bool Qgroups::enabled(const std::filesystem::path& fs_path) {
  if (m_known_enabled) return true;
  if (m_host.dry_run) return false;
  std::ifstream in("/sys/fs/btrfs/" + fs_uuid(fs_path) + "/qgroups/enabled");
  int v = 0;
  if (in >> v) return m_known_enabled = v == 1;
  // Kernels without the sysfs file: ask btrfs(8), which fails when disabled.
  return m_known_enabled = m_host.runner->run({"btrfs", "qgroup", "show", fs_path.string()}).ok();
}

void Qgroups::ensure_enabled(const std::filesystem::path& fs_path) {
  if (enabled(fs_path)) return;
  m_host.runner->check({"btrfs", "quota", "enable", fs_path.string()});
  m_host.runner->check({"btrfs", "quota", "rescan", "-w", fs_path.string()});
  m_known_enabled = !m_host.dry_run;
}

void Qgroups::limit(const std::filesystem::path& fs_path, std::uint64_t subvol_id, bool exclusive,
                    std::optional<std::uint64_t> bytes) {
  sdk::Command cmd{"btrfs", "qgroup", "limit"};
  if (exclusive) cmd.argv.push_back("-e");
  cmd.argv.push_back(bytes ? std::to_string(*bytes) : "none");
  cmd.argv.push_back("0/" + std::to_string(subvol_id));
  cmd.argv.push_back(fs_path.string());
  m_host.runner->check(cmd);
}

std::optional<QgroupUsage> Qgroups::show(const std::filesystem::path& subvol, std::uint64_t subvol_id) {
  auto res = m_host.runner->run({"btrfs", "qgroup", "show", "-reF", "--raw", subvol.string()});
  if (!res.ok()) return std::nullopt;
  return parse_qgroup_show(res.out, subvol_id);
}

}  // namespace iocell::plugins::btrfs
