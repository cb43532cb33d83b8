// Whole-tree file operations for storage backends and jail types: copy
// (reflink where the filesystem can), make one tree identical to another,
// remove, and measure. None of them follows a symbolic link, and none
// crosses into another mount: a copy or a measurement stops at a mount point
// (like cp -x / du -x) and a removal refuses it, so that a bind mount of a
// release left inside a jail can never make iocell delete the release.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#endif

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/safe_root.hpp>
#include <iocell/sdk/temp_names.hpp>

namespace iocell::sdk::tree {

/// Relative path ("usr/bin") -> true for directories whose content stays
/// out (child datasets): they are created empty, or left alone by sync.
using Exclude = std::function<bool(const std::string& rel)>;

struct CopyOptions {
  bool reflink = true;
  Exclude exclude;
};

namespace detail {

[[noreturn]] inline void fail(const std::string& what, const std::filesystem::path& p, int err = errno) {
  throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(err));
}

inline std::string join(const std::string& rel, const std::string& name) { return rel.empty() ? name : rel + "/" + name; }

/// Identifies the mount a directory belongs to. st_dev alone misses bind
/// mounts of the same filesystem, so Linux asks statx for the mount id.
inline std::uint64_t mount_id(int fd) {
#if defined(__linux__) && defined(STATX_MNT_ID)
  struct statx sx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) == 0 && (sx.stx_mask & STATX_MNT_ID)) return sx.stx_mnt_id;
#endif
  struct stat st {};
  if (::fstat(fd, &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_dev);
}

inline std::vector<std::string> list(int dirfd, const std::filesystem::path& shown) {
  int dup = ::dup(dirfd);
  if (dup < 0) fail("cannot read directory", shown);
  DIR* d = ::fdopendir(dup);
  if (!d) {
    int e = errno;
    ::close(dup);
    fail("cannot read directory", shown, e);
  }
  ::rewinddir(d);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  int err = errno;
  ::closedir(d);
  if (err) fail("cannot read directory", shown, err);
  return names;
}

inline UniqueFd open_dir_at(int parent, const std::string& name, const std::filesystem::path& shown) {
  UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) fail("cannot open directory", shown);
  return fd;
}

inline void copy_xattrs(int in, int out) {
#ifdef __linux__
  ssize_t len = ::flistxattr(in, nullptr, 0);
  if (len <= 0) return;
  std::string names(static_cast<size_t>(len), '\0');
  len = ::flistxattr(in, names.data(), names.size());
  if (len <= 0) return;
  std::string value;
  for (size_t pos = 0; pos < static_cast<size_t>(len);) {
    const char* name = names.c_str() + pos;
    pos += std::strlen(name) + 1;
    ssize_t vlen = ::fgetxattr(in, name, nullptr, 0);
    if (vlen < 0) continue;
    value.assign(static_cast<size_t>(vlen), '\0');
    vlen = ::fgetxattr(in, name, value.data(), value.size());
    // Best effort: a filesystem without a namespace (trusted.*, security.*)
    // refuses it; the file itself is still a faithful copy.
    if (vlen >= 0) ::fsetxattr(out, name, value.data(), static_cast<size_t>(vlen), 0);
  }
#else
  (void)in;
  (void)out;
#endif
}

/// Owner first (chown clears set-id bits and file capabilities), then mode,
/// extended attributes, times.
inline void apply_attrs(int fd, const struct stat& st, const std::filesystem::path& shown, int xattr_src = -1) {
  if (::fchown(fd, st.st_uid, st.st_gid) != 0 && !(errno == EPERM && ::geteuid() != 0)) fail("cannot set owner of", shown);
  if (::fchmod(fd, st.st_mode & 07777) != 0) fail("cannot set mode of", shown);
  if (xattr_src >= 0) copy_xattrs(xattr_src, fd);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(fd, times) != 0) fail("cannot set times of", shown);
}

inline void apply_attrs_at(int dirfd, const std::string& name, const struct stat& st, const std::filesystem::path& shown) {
  if (::fchownat(dirfd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 && !(errno == EPERM && ::geteuid() != 0))
    fail("cannot set owner of", shown);
  if (!S_ISLNK(st.st_mode) && ::fchmodat(dirfd, name.c_str(), st.st_mode & 07777, 0) != 0) fail("cannot set mode of", shown);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail("cannot set times of", shown);
}

/// Copies one regular file's bytes: a reflink (shared extents, new inode)
/// when asked and possible, else copy_file_range, else read/write.
inline void copy_bytes(int in, int out, bool reflink, const std::filesystem::path& shown) {
#ifdef __linux__
  if (reflink && ::ioctl(out, FICLONE, in) == 0) return;
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n == 0) return;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) break;
    fail("cannot copy", shown);
  }
  // copy_file_range may have copied part before failing over.
  if (::lseek(in, 0, SEEK_SET) < 0 || ::ftruncate(out, 0) != 0 || ::lseek(out, 0, SEEK_SET) < 0) fail("cannot copy", shown);
#else
  (void)reflink;
#endif
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read", shown);
    if (n == 0) return;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) fail("cannot write", shown);
      off += w;
    }
  }
}

inline void remove_entry(int parent, const std::string& name, std::uint64_t top_mount, const std::filesystem::path& shown);

inline void remove_children(int dirfd, std::uint64_t top_mount, const std::filesystem::path& shown) {
  for (const auto& n : list(dirfd, shown)) remove_entry(dirfd, n, top_mount, shown / n);
}

inline int unlink_at(int parent, const std::string& name, int flags) {
  int rc = ::unlinkat(parent, name.c_str(), flags);
#ifdef __FreeBSD__
  // Release trees carry schg files (chflags -R noschg before removal).
  if (rc != 0 && errno == EPERM) {
    ::chflagsat(parent, name.c_str(), 0, AT_SYMLINK_NOFOLLOW);
    rc = ::unlinkat(parent, name.c_str(), flags);
  }
#endif
  return rc;
}

inline void remove_entry(int parent, const std::string& name, std::uint64_t top_mount, const std::filesystem::path& shown) {
  struct stat st {};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    fail("cannot examine", shown);
  }
  if (S_ISDIR(st.st_mode)) {
    UniqueFd fd = open_dir_at(parent, name, shown);
    if (mount_id(fd.get()) != top_mount)
      throw std::runtime_error("refusing to remove " + shown.string() + ": something is mounted there; unmount it first");
    remove_children(fd.get(), top_mount, shown);
    fd.reset();
    if (unlink_at(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT) fail("cannot remove", shown);
  } else if (unlink_at(parent, name, 0) != 0 && errno != ENOENT) {
    fail("cannot remove", shown);
  }
}

struct Copier {
  CopyOptions opts;
  std::filesystem::path src_top, dst_top;
  int dst_top_fd = -1;
  std::uint64_t src_mount = 0;
  /// (dev, ino) of a multiply linked source file -> its copy, relative to dst_top.
  std::map<std::pair<dev_t, ino_t>, std::string> links;
  bool keep_links = true;

  bool excluded(const std::string& rel) const { return opts.exclude && opts.exclude(rel); }

  void copy_file(int sdir, int ddir, const std::string& name, const std::string& dname, const std::string& rel,
                 const struct stat& st) {
    if (keep_links && st.st_nlink > 1) {
      auto it = links.find({st.st_dev, st.st_ino});
      if (it != links.end()) {
        if (::linkat(dst_top_fd, it->second.c_str(), ddir, dname.c_str(), 0) != 0) fail("cannot link", dst_top / rel);
        return;
      }
    }
    UniqueFd in(::openat(sdir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) fail("cannot open", src_top / rel);
    UniqueFd out(::openat(ddir, dname.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) fail("cannot create", dst_top / rel);
    copy_bytes(in.get(), out.get(), opts.reflink, dst_top / rel);
    apply_attrs(out.get(), st, dst_top / rel, in.get());
    if (keep_links && st.st_nlink > 1) links[{st.st_dev, st.st_ino}] = rel;
  }

  /// Creates `dname` in ddir as a copy of the source entry `name` of sdir
  /// (`dname` must not exist in ddir).
  void copy_entry(int sdir, int ddir, const std::string& name, const std::string& rel, const struct stat& st) {
    copy_entry_as(sdir, ddir, name, name, rel, st);
  }

  void copy_entry_as(int sdir, int ddir, const std::string& name, const std::string& dname, const std::string& rel,
                     const struct stat& st) {
    if (S_ISDIR(st.st_mode)) {
      // An existing directory (a child dataset's mountpoint) is filled, not replaced.
      if (::mkdirat(ddir, dname.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create directory", dst_top / rel);
      UniqueFd s = open_dir_at(sdir, name, src_top / rel);
      UniqueFd d = open_dir_at(ddir, dname, dst_top / rel);
      // Child datasets and other mounts: an empty directory, like zfs and cp -x.
      if (!excluded(rel) && mount_id(s.get()) == src_mount) copy_children(s.get(), d.get(), rel);
      apply_attrs(d.get(), st, dst_top / rel, s.get());
    } else if (S_ISREG(st.st_mode)) {
      copy_file(sdir, ddir, name, dname, rel, st);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
      ssize_t n = ::readlinkat(sdir, name.c_str(), target.data(), target.size());
      if (n < 0) fail("cannot read link", src_top / rel);
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), ddir, dname.c_str()) != 0) fail("cannot create link", dst_top / rel);
      apply_attrs_at(ddir, dname, st, dst_top / rel);
    } else {
      if (::mknodat(ddir, dname.c_str(), st.st_mode, st.st_rdev) != 0) fail("cannot create node", dst_top / rel);
      apply_attrs_at(ddir, dname, st, dst_top / rel);
    }
  }

  void copy_children(int sdir, int ddir, const std::string& rel) {
    for (const auto& n : list(sdir, src_top / rel)) {
      struct stat st {};
      const std::string r = join(rel, n);
      if (::fstatat(sdir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail("cannot examine", src_top / r);
      copy_entry(sdir, ddir, n, r, st);
    }
  }

  static bool same_attrs(const struct stat& a, const struct stat& b) {
    return a.st_mode == b.st_mode && a.st_uid == b.st_uid && a.st_gid == b.st_gid;
  }

  static bool before(const struct timespec& t, std::int64_t ns) {
    return static_cast<std::int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec < ns;
  }

  /// Replaces ddir/name by a copy of the source entry, atomically for files.
  void replace(int sdir, int ddir, const std::string& name, const std::string& rel, const struct stat& st,
               const struct stat& old) {
    if (!S_ISDIR(st.st_mode) && !S_ISDIR(old.st_mode)) {
      const std::string tmp = std::string(temp_names::kSync) + name;
      remove_entry(ddir, tmp, mount_id(ddir), dst_top / join(rel, tmp));
      try {
        copy_entry_as(sdir, ddir, name, tmp, rel, st);
        if (::renameat(ddir, tmp.c_str(), ddir, name.c_str()) != 0) fail("cannot replace", dst_top / rel);
      } catch (...) {
        // A full disk stops the copy: what it wrote is no one's file.
        ::unlinkat(ddir, tmp.c_str(), 0);
        throw;
      }
      return;
    }
    remove_entry(ddir, name, mount_id(ddir), dst_top / rel);
    copy_entry(sdir, ddir, name, rel, st);
  }

  /// Makes ddir's content identical to sdir's. An entry is kept only when it
  /// looks the same and has not changed (ctime, which a jail cannot set back)
  /// since `unchanged_before_ns`; anything else is copied again.
  void sync_children(int sdir, int ddir, const std::string& rel, std::int64_t unchanged_before_ns) {
    auto snames = list(sdir, src_top / rel);
    std::set<std::string> wanted(snames.begin(), snames.end());
    for (const auto& n : list(ddir, dst_top / rel)) {
      const std::string r = join(rel, n);
      if (!wanted.count(n) && !excluded(r)) remove_entry(ddir, n, mount_id(ddir), dst_top / r);
    }
    for (const auto& n : snames) {
      const std::string r = join(rel, n);
      struct stat st {}, cur {};
      if (::fstatat(sdir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail("cannot examine", src_top / r);
      if (::fstatat(ddir, n.c_str(), &cur, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) fail("cannot examine", dst_top / r);
        copy_entry(sdir, ddir, n, r, st);
        continue;
      }
      if (excluded(r)) continue;
      if (S_ISDIR(st.st_mode) && S_ISDIR(cur.st_mode)) {
        UniqueFd s = open_dir_at(sdir, n, src_top / r);
        UniqueFd d = open_dir_at(ddir, n, dst_top / r);
        if (mount_id(d.get()) != mount_id(ddir))
          throw std::runtime_error("cannot roll back " + (dst_top / r).string() + ": something is mounted there; unmount it first");
        if (mount_id(s.get()) == src_mount) sync_children(s.get(), d.get(), r, unchanged_before_ns);
        apply_attrs(d.get(), st, dst_top / r);
        continue;
      }
      bool same = (st.st_mode & S_IFMT) == (cur.st_mode & S_IFMT) && same_attrs(st, cur) &&
                  before(cur.st_ctim, unchanged_before_ns) && st.st_mtim.tv_sec == cur.st_mtim.tv_sec &&
                  st.st_mtim.tv_nsec == cur.st_mtim.tv_nsec;
      if (same && S_ISREG(st.st_mode)) same = st.st_size == cur.st_size;
      if (same && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) same = st.st_rdev == cur.st_rdev;
      if (same && S_ISLNK(st.st_mode)) {
        char a[4096], b[4096];
        ssize_t la = ::readlinkat(sdir, n.c_str(), a, sizeof a), lb = ::readlinkat(ddir, n.c_str(), b, sizeof b);
        same = la >= 0 && la == lb && std::memcmp(a, b, static_cast<size_t>(la)) == 0;
      }
      if (!same) replace(sdir, ddir, n, r, st, cur);
    }
  }
};

}  // namespace detail

/// Copies the content of directory `src` into `dst`, which is created (it
/// must not exist; its parent must). Owner, mode, times, extended attributes,
/// symlinks, device nodes, FIFOs and hard links are preserved.
inline void copy_tree(const std::filesystem::path& src, const std::filesystem::path& dst, const CopyOptions& opts = {}) {
  UniqueFd s(::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!s) detail::fail("cannot open directory", src);
  struct stat st {};
  if (::fstat(s.get(), &st) != 0) detail::fail("cannot examine", src);
  if (::mkdir(dst.c_str(), 0700) != 0) detail::fail("cannot create directory", dst);
  UniqueFd d(::open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) detail::fail("cannot open directory", dst);
  detail::Copier c{opts, src, dst, d.get(), detail::mount_id(s.get()), {}, true};
  c.copy_children(s.get(), d.get(), "");
  detail::apply_attrs(d.get(), st, dst, s.get());
}

/// Copies the content of directory `src` into the existing directory `dst`
/// (whose own entries of the same names must not exist), then gives `dst`
/// the owner, mode and times of `src`.
inline void copy_contents(const std::filesystem::path& src, const std::filesystem::path& dst, const CopyOptions& opts = {}) {
  UniqueFd s(::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!s) detail::fail("cannot open directory", src);
  UniqueFd d(::open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) detail::fail("cannot open directory", dst);
  struct stat st {};
  if (::fstat(s.get(), &st) != 0) detail::fail("cannot examine", src);
  detail::Copier c{opts, src, dst, d.get(), detail::mount_id(s.get()), {}, true};
  c.copy_children(s.get(), d.get(), "");
  detail::apply_attrs(d.get(), st, dst, s.get());
}

/// Makes the existing directory `dst` identical to `src` (a rollback),
/// rewriting only what differs or changed since `unchanged_before_ns`
/// (CLOCK_REALTIME nanoseconds; pass the moment `src` was taken from `dst`).
inline void sync_tree(const std::filesystem::path& src, const std::filesystem::path& dst, std::int64_t unchanged_before_ns,
                      const CopyOptions& opts = {}) {
  UniqueFd s(::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!s) detail::fail("cannot open directory", src);
  UniqueFd d(::open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) detail::fail("cannot open directory", dst);
  struct stat st {};
  if (::fstat(s.get(), &st) != 0) detail::fail("cannot examine", src);
  detail::Copier c{opts, src, dst, d.get(), detail::mount_id(s.get()), {}, false};
  c.sync_children(s.get(), d.get(), "", unchanged_before_ns);
  detail::apply_attrs(d.get(), st, dst);
}

/// Removes `path` and everything below it. A symlink is removed, never
/// followed; a mount anywhere below makes it stop with an error. A missing
/// path is not an error.
inline void remove_tree(const std::filesystem::path& path) {
  const auto parent = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  UniqueFd p(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!p) {
    if (errno == ENOENT) return;
    detail::fail("cannot open directory", parent);
  }
  const std::string name = path.filename().string();
  struct stat st {};
  if (::fstatat(p.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    detail::fail("cannot examine", path);
  }
  std::uint64_t top = detail::mount_id(p.get());
  detail::remove_entry(p.get(), name, top, path);
}

/// Empties the directory `path` (same rules as remove_tree).
inline void remove_children(const std::filesystem::path& path) {
  UniqueFd d(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) detail::fail("cannot open directory", path);
  detail::remove_children(d.get(), detail::mount_id(d.get()), path);
}

/// Bytes allocated below `path` (du -sx): every inode once, mounts and
/// excluded directories not entered.
inline std::uint64_t disk_usage(const std::filesystem::path& path, const Exclude& exclude = {}) {
  UniqueFd top(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!top) {
    if (errno == ENOENT) return 0;
    detail::fail("cannot open directory", path);
  }
  const std::uint64_t mnt = detail::mount_id(top.get());
  std::set<std::pair<dev_t, ino_t>> seen;
  std::function<std::uint64_t(int, const std::string&)> walk = [&](int dirfd, const std::string& rel) -> std::uint64_t {
    std::uint64_t sum = 0;
    for (const auto& n : detail::list(dirfd, path / rel)) {
      struct stat st {};
      const std::string r = detail::join(rel, n);
      if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen.insert({st.st_dev, st.st_ino}).second) continue;
      sum += static_cast<std::uint64_t>(st.st_blocks) * 512;
      if (S_ISDIR(st.st_mode) && !(exclude && exclude(r))) {
        UniqueFd d(::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (d && detail::mount_id(d.get()) == mnt) sum += walk(d.get(), r);
      }
    }
    return sum;
  };
  struct stat st {};
  ::fstat(top.get(), &st);
  return static_cast<std::uint64_t>(st.st_blocks) * 512 + walk(top.get(), "");
}

/// Whether something is mounted exactly at `path` (a bind mount of the same
/// filesystem included, on Linux).
inline bool is_mount_point(const std::filesystem::path& path) {
  UniqueFd d(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) return false;
  UniqueFd p(::openat(d.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!p) return false;
  return detail::mount_id(d.get()) != detail::mount_id(p.get());
}

}  // namespace iocell::sdk::tree
