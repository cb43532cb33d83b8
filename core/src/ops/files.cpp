#include <iocell/core/ops/files.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <thread>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/jail_paths.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/temp_names.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

namespace {

std::string describe(const JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }

/// "/usr/local/etc/x" -> "usr/local/etc/x"; refuses what is not a plain absolute path.
fs::path jail_relative(const JailRecord& rec, const std::string& path) {
  if (path.empty() || path.front() != '/')
    throw UsageError("the path in " + rec.tag() + ":" + path + " must be absolute inside the jail (" + rec.tag() + ":/etc/rc.conf)");
  fs::path rel = fs::path(path).relative_path().lexically_normal();
  for (const auto& part : rel)
    if (part == "..") throw UsageError("the path " + path + " leaves the jail's root ('..')");
  if (!rel.empty() && rel.filename().empty()) rel = rel.parent_path();  // "etc/" is "etc"
  if (rel == "." || rel.empty()) rel.clear();
  return rel;
}

// The jail's side, one component at a time: a symbolic link the jail
// planted would redirect the host's write or read onto the host.
sdk::UniqueFd open_jail_dir(const fs::path& root, const fs::path& rel, const JailRecord& rec) {
  return walk_in_jail(root, rel, describe(rec), WhenMissing::NotFound, true).fd;
}

struct stat stat_at(int dirfd, const std::string& name, const fs::path& shown) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw NotFound(shown.string() + ": " + std::strerror(errno));
  return st;
}

/// Copies `name` of sdir to `dname` of ddir: a file through a temporary name
/// and a rename (an existing file is replaced whole), a tree as a new entry.
void copy_entry(int sdir, const std::string& name, int ddir, const std::string& dname, const fs::path& src_shown,
                const fs::path& dst_shown) {
  const struct stat st = stat_at(sdir, name, src_shown);
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    throw Refused(src_shown.string() + " is neither a file nor a directory; cp copies those (a link inside a directory is copied as a link)");
  struct stat old {};
  const bool exists = ::fstatat(ddir, dname.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && (S_ISDIR(st.st_mode) || !S_ISREG(old.st_mode)))
    throw Refused(dst_shown.string() + " exists" + (S_ISDIR(st.st_mode) ? "" : " and is not a file") + "; remove it first");
  sdk::tree::detail::Copier copier{{}, src_shown.parent_path(), dst_shown.parent_path(), ddir, sdk::tree::detail::mount_id(sdir), {}, true};
  if (S_ISDIR(st.st_mode)) {
    copier.copy_entry_as(sdir, ddir, name, dname, dname, st);
    return;
  }
  const std::string tmp = sdk::temp_names::file_tmp(dname);
  ::unlinkat(ddir, tmp.c_str(), 0);
  try {
    copier.copy_entry_as(sdir, ddir, name, tmp, tmp, st);
    if (::renameat(ddir, tmp.c_str(), ddir, dname.c_str()) != 0)
      throw std::runtime_error("cannot write " + dst_shown.string() + ": " + std::strerror(errno));
  } catch (...) {
    ::unlinkat(ddir, tmp.c_str(), 0);
    throw;
  }
}

/// Where a copy lands: inside an existing directory under the source's
/// name, else at the path itself (whose parent must exist).
struct Landing {
  fs::path dir;  ///< relative (jail) or absolute (host)
  std::string name;
};

}  // namespace

std::string copy_into_jail(Context& ctx, const JailRecord& rec, const fs::path& host_src, const std::string& jail_dest) {
  fs::path rel = jail_relative(rec, jail_dest);
  const fs::path src = fs::absolute(host_src).lexically_normal();
  if (src.filename().empty()) throw UsageError("cp: give a file or directory to copy, not " + host_src.string());
  sdk::UniqueFd sdir(::open(src.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!sdir) throw NotFound("cannot open " + src.parent_path().string() + ": " + std::strerror(errno));
  stat_at(sdir.get(), src.filename().string(), src);
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  StoppedRootMount files(ctx, rec);
  const fs::path root = rec.home / "root";
  Landing to{rel.parent_path(), rel.filename().string()};
  if (rel.empty()) to = {fs::path(), src.filename().string()};
  else {
    sdk::UniqueFd parent = open_jail_dir(root, rel.parent_path(), rec);
    struct stat st {};
    if (::fstatat(parent.get(), to.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) to = {rel, src.filename().string()};
  }
  const std::string shown = "/" + (to.dir / to.name).string();
  if (ctx.dry_run()) return shown;
  sdk::UniqueFd ddir = open_jail_dir(root, to.dir, rec);
  copy_entry(sdir.get(), src.filename().string(), ddir.get(), to.name, src, rec.tag() + ":" + shown);
  return shown;
}

fs::path copy_out_of_jail(Context& ctx, const JailRecord& rec, const std::string& jail_src, const fs::path& host_dest) {
  const fs::path rel = jail_relative(rec, jail_src);
  if (rel.empty()) throw UsageError("cp: copy a file or directory of the jail, not its whole root");
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  StoppedRootMount files(ctx, rec);
  const fs::path root = rec.home / "root";
  sdk::UniqueFd sdir = open_jail_dir(root, rel.parent_path(), rec);
  const std::string name = rel.filename().string();
  stat_at(sdir.get(), name, rec.tag() + ":/" + rel.string());
  fs::path dest = fs::absolute(host_dest).lexically_normal();
  std::error_code ec;
  if (fs::is_directory(dest, ec)) dest /= name;
  if (dest.filename().empty()) dest = dest.parent_path();
  if (ctx.dry_run()) return dest;
  sdk::UniqueFd ddir(::open(dest.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!ddir) throw NotFound("cannot open " + dest.parent_path().string() + ": " + std::strerror(errno));
  copy_entry(sdir.get(), name, ddir.get(), dest.filename().string(), rec.tag() + ":/" + rel.string(), dest);
  return dest;
}

void print_console_log(Context& ctx, const JailRecord& rec, std::optional<std::size_t> lines, bool follow) {
  const fs::path log = ctx.inventory().spec(rec).console_log;
  sdk::UniqueFd fd(::open(log.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && !(follow && errno == ENOENT))
    throw NotFound(describe(rec) + " has no console log (" + log.string() + "): it is written from the jail's first start");
  std::ostream& out = ctx.out();
  off_t offset = 0;
  if (fd && lines) {
    // The last N lines: read the whole log once, keep a window.
    std::deque<std::string> window;
    std::string line, chunk(65536, '\0');
    ssize_t n;
    while ((n = ::read(fd.get(), chunk.data(), chunk.size())) > 0) {
      offset += n;
      for (ssize_t i = 0; i < n; ++i) {
        line += chunk[static_cast<std::size_t>(i)];
        if (chunk[static_cast<std::size_t>(i)] != '\n') continue;
        window.push_back(std::move(line));
        line.clear();
        if (window.size() > *lines) window.pop_front();
      }
    }
    if (!line.empty()) {
      window.push_back(line);
      if (window.size() > *lines) window.pop_front();
    }
    for (const auto& l : window) out << l;
    out.flush();
  }
  std::string chunk(65536, '\0');
  for (;;) {
    if (!fd) {
      fd.reset(::open(log.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      offset = 0;
    }
    if (fd) {
      struct stat st {};
      // Rotated or truncated: start again from its beginning.
      if (::fstat(fd.get(), &st) == 0 && st.st_size < offset) offset = 0;
      ssize_t n;
      while ((n = ::pread(fd.get(), chunk.data(), chunk.size(), offset)) > 0) {
        out.write(chunk.data(), n);
        offset += n;
      }
      out.flush();
      struct stat now {};
      if (follow && (::stat(log.c_str(), &now) != 0 || now.st_ino != st.st_ino)) fd.reset();
    }
    if (!follow) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace iocell::core
