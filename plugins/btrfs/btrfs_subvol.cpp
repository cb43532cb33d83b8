#include "btrfs_subvol.hpp"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::btrfs {

namespace fs = std::filesystem;
using sdk::UniqueFd;

namespace {

constexpr unsigned long kBtrfsMagic = 0x9123683EUL;
constexpr ino_t kSubvolRootIno = 256;  // BTRFS_FIRST_FREE_OBJECTID

[[noreturn]] void fail(const std::string& what, const fs::path& p, int err = errno) {
  throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(err));
}

UniqueFd open_dir(const fs::path& p) {
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail("cannot open", p);
  return fd;
}

UniqueFd open_parent(const fs::path& p) {
  fs::path parent = p.parent_path();
  return open_dir(parent.empty() ? fs::path(".") : parent);
}

void copy_name(char* dst, size_t cap, const std::string& name, const fs::path& shown) {
  if (name.empty() || name.size() >= cap || name.find('/') != std::string::npos)
    throw std::runtime_error("invalid subvolume name for " + shown.string());
  std::memcpy(dst, name.c_str(), name.size() + 1);
}

std::string uuid_string(const __u8* u) {
  char buf[37];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4],
                u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return buf;
}

}  // namespace

bool on_btrfs(const fs::path& p) {
  struct statfs st {};
  return ::statfs(p.c_str(), &st) == 0 && static_cast<unsigned long>(st.f_type) == kBtrfsMagic;
}

bool is_subvolume(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == kSubvolRootIno && on_btrfs(p);
}

SubvolInfo subvol_info(const fs::path& p) {
  UniqueFd fd = open_dir(p);
  btrfs_ioctl_get_subvol_info_args args{};
  // The kernel reports success as any non-negative value here.
  if (::ioctl(fd.get(), BTRFS_IOC_GET_SUBVOL_INFO, &args) < 0) fail("cannot read subvolume information of", p);
  SubvolInfo info;
  info.id = args.treeid;
  info.otime_ns = static_cast<std::int64_t>(args.otime.sec) * 1000000000LL + args.otime.nsec;
  __u64 flags = 0;
  if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_GETFLAGS, &flags) != 0) fail("cannot read the flags of", p);
  info.readonly = (flags & BTRFS_SUBVOL_RDONLY) != 0;
  return info;
}

std::vector<std::string> nested_subvolumes(const fs::path& p) {
  std::vector<std::string> out;
  UniqueFd fd = open_dir(p);
  btrfs_ioctl_get_subvol_rootref_args refs{};
  for (;;) {
    int rc = ::ioctl(fd.get(), BTRFS_IOC_GET_SUBVOL_ROOTREF, &refs);
    if (rc < 0 && errno != EOVERFLOW) fail("cannot list the subvolumes inside", p);
    const bool more = rc < 0;
    for (unsigned i = 0; i < refs.num_items; ++i) {
      btrfs_ioctl_ino_lookup_user_args look{};
      look.dirid = refs.rootref[i].dirid;
      look.treeid = refs.rootref[i].treeid;
      if (::ioctl(fd.get(), BTRFS_IOC_INO_LOOKUP_USER, &look) < 0) fail("cannot locate a subvolume inside", p);
      const std::string rel = std::string(look.path) + look.name;
      out.push_back(rel);
      for (const auto& deeper : nested_subvolumes(p / rel)) out.push_back(rel + "/" + deeper);
    }
    if (!more) break;
    refs.min_treeid = refs.rootref[refs.num_items - 1].treeid + 1;
  }
  return out;
}

std::string fs_uuid(const fs::path& p) {
  UniqueFd fd = open_dir(p);
  btrfs_ioctl_fs_info_args args{};
  if (::ioctl(fd.get(), BTRFS_IOC_FS_INFO, &args) != 0) fail("cannot read filesystem information of", p);
  return uuid_string(args.fsid);
}

void Subvolumes::create(const fs::path& path) {
  if (m_host.dry_run) {
    m_host.runner->check({"btrfs", "subvolume", "create", path.string()});
    return;
  }
  UniqueFd parent = open_parent(path);
  btrfs_ioctl_vol_args args{};
  copy_name(args.name, sizeof args.name, path.filename().string(), path);
  if (::ioctl(parent.get(), BTRFS_IOC_SUBVOL_CREATE, &args) != 0) fail("cannot create subvolume", path);
}

void Subvolumes::snapshot(const fs::path& source, const fs::path& dest, bool readonly) {
  if (m_host.dry_run) {
    sdk::Command cmd{"btrfs", "subvolume", "snapshot"};
    if (readonly) cmd.argv.push_back("-r");
    cmd.argv.push_back(source.string());
    cmd.argv.push_back(dest.string());
    m_host.runner->check(cmd);
    return;
  }
  UniqueFd src = open_dir(source);
  UniqueFd parent = open_parent(dest);
  btrfs_ioctl_vol_args_v2 args{};
  args.fd = src.get();
  args.flags = readonly ? BTRFS_SUBVOL_RDONLY : 0;
  copy_name(args.name, sizeof args.name, dest.filename().string(), dest);
  if (::ioctl(parent.get(), BTRFS_IOC_SNAP_CREATE_V2, &args) != 0)
    throw std::runtime_error("cannot snapshot " + source.string() + " to " + dest.string() + ": " + std::strerror(errno));
}

void Subvolumes::remove_one(const fs::path& path) {
  UniqueFd parent = open_parent(path);
  btrfs_ioctl_vol_args args{};
  copy_name(args.name, sizeof args.name, path.filename().string(), path);
  if (::ioctl(parent.get(), BTRFS_IOC_SNAP_DESTROY, &args) == 0) return;
  if (errno != ENOTEMPTY) fail("cannot delete subvolume", path);
  // Subvolumes nested inside (made by the jail itself, or stale children),
  // deepest first.
  auto nested = nested_subvolumes(path);
  if (nested.empty()) fail("cannot delete subvolume", path, ENOTEMPTY);
  for (auto it = nested.rbegin(); it != nested.rend(); ++it) remove_one(path / *it);
  if (::ioctl(parent.get(), BTRFS_IOC_SNAP_DESTROY, &args) != 0) fail("cannot delete subvolume", path);
}

void Subvolumes::remove(const fs::path& path) {
  if (m_host.dry_run) {
    m_host.runner->check({"btrfs", "subvolume", "delete", path.string()});
    return;
  }
  remove_one(path);
}

void Subvolumes::set_readonly(const fs::path& path, bool readonly) {
  if (m_host.dry_run) {
    m_host.runner->check({"btrfs", "property", "set", "-ts", path.string(), "ro", readonly ? "true" : "false"});
    return;
  }
  UniqueFd fd = open_dir(path);
  __u64 flags = 0;
  if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_GETFLAGS, &flags) != 0) fail("cannot read the flags of", path);
  flags = readonly ? (flags | BTRFS_SUBVOL_RDONLY) : (flags & ~static_cast<__u64>(BTRFS_SUBVOL_RDONLY));
  if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_SETFLAGS, &flags) != 0) fail("cannot change read-only flag of", path);
}

void Subvolumes::wait_cleaner(const fs::path& any_path) {
  if (m_host.dry_run) {
    m_host.runner->check({"btrfs", "subvolume", "sync", any_path.string()});
    return;
  }
  // The cleaner starts on deleted subvolumes only after a commit (else it
  // waits up to the 30 s commit interval), and what it frees shows in
  // statfs only after the next one.
  UniqueFd fd = open_dir(any_path);
  if (::ioctl(fd.get(), BTRFS_IOC_SYNC, nullptr) < 0) fail("cannot commit the filesystem of", any_path);
  m_host.runner->check({"btrfs", "subvolume", "sync", any_path.string()});
  if (::ioctl(fd.get(), BTRFS_IOC_SYNC, nullptr) < 0) fail("cannot commit the filesystem of", any_path);
}

}  // namespace iocell::plugins::btrfs
