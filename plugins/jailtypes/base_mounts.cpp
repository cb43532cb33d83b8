#include "base_mounts.hpp"

#include <fcntl.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mount.h>
#endif

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::jailtypes {

namespace {

#ifdef __linux__
std::string fd_path(const sdk::UniqueFd& fd) { return "/proc/self/fd/" + std::to_string(fd.get()); }
#endif

std::string parent_rel(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

/// Whether the directory open at fd is the root of a mount (its parent,
/// reached through the same safe walk, belongs to another mount).
bool is_mount_root(const sdk::SafeRoot& root, const std::string& rel, const sdk::UniqueFd& fd) {
  sdk::UniqueFd parent = root.open_dir(parent_rel(rel));
  return sdk::tree::detail::mount_id(fd.get()) != sdk::tree::detail::mount_id(parent.get());
}

}  // namespace

bool BaseMounter::mounted(const std::filesystem::path& jail_root, const std::string& rel) const {
  sdk::SafeRoot root(jail_root);
  sdk::UniqueFd fd;
  try {
    fd = root.open_dir(rel);
  } catch (const std::exception&) {
    return false;
  }
  return is_mount_root(root, rel, fd);
}

void BaseMounter::mount_ro(const std::filesystem::path& source_root, const std::string& rel,
                           const std::filesystem::path& jail_root) {
  const auto target_shown = jail_root / rel;
  if (m_host.dry_run && m_host.os == sdk::HostOs::Linux) {
    m_host.would("bind-mount " + (source_root / rel).string() + " read-only at " + target_shown.string());
    return;
  }
  sdk::SafeRoot root(jail_root);
  if (!m_host.dry_run) unmount(jail_root, rel);
  sdk::UniqueFd target = root.open_dir(rel, !m_host.dry_run);
  sdk::SafeRoot release(source_root);
  sdk::UniqueFd source = release.open_dir(rel);
#ifdef __linux__
  if (m_host.os == sdk::HostOs::Linux) {
    if (::mount(fd_path(source).c_str(), fd_path(target).c_str(), nullptr, MS_BIND, nullptr) != 0)
      throw std::runtime_error("cannot bind-mount " + (source_root / rel).string() + " at " + target_shown.string() + ": " +
                               std::strerror(errno));
    // The read-only flag applies to the new mount, reached afresh.
    sdk::UniqueFd mounted_fd = root.open_dir(rel);
    if (::mount(nullptr, fd_path(mounted_fd).c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      int e = errno;
      ::umount2(fd_path(mounted_fd).c_str(), MNT_DETACH);
      throw std::runtime_error("cannot make the bind mount at " + target_shown.string() + " read-only: " + std::strerror(e));
    }
    return;
  }
#endif
  // FreeBSD: mount(8) takes paths; the walk above has just checked that no
  // component of the target is a symlink, and the jail is not running.
  m_host.runner->check({"mount", "-t", "nullfs", "-o", "ro", (source_root / rel).string(), target_shown.string()});
}

void BaseMounter::unmount(const std::filesystem::path& jail_root, const std::string& rel) {
  const auto target_shown = jail_root / rel;
  if (m_host.dry_run && m_host.os == sdk::HostOs::Linux) {
    m_host.would("unmount " + target_shown.string());
    return;
  }
  sdk::SafeRoot root(jail_root);
  sdk::UniqueFd fd;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(target_shown, ec))) return;
  fd = root.open_dir(rel);
  if (!is_mount_root(root, rel, fd)) return;
#ifdef __linux__
  if (m_host.os == sdk::HostOs::Linux) {
    // Detached, because the descriptor that names it keeps it busy.
    if (::umount2(fd_path(fd).c_str(), MNT_DETACH) != 0)
      throw std::runtime_error("cannot unmount " + target_shown.string() + ": " + std::strerror(errno));
    return;
  }
#endif
  fd.reset();
  m_host.runner->check({"umount", target_shown.string()});
}

}  // namespace iocell::plugins::jailtypes
