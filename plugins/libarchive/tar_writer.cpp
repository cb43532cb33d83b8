#include "libarchive_plugin.hpp"

#include "handles.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/random.hpp>
#include <iocell/sdk/temp_names.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::libarchive {

namespace fs = std::filesystem;

namespace {


class TarWriter {
 public:
  TarWriter(const fs::path& out, const sdk::TarOptions& opts) : m_opts(opts), m_out(out) {
    m_archive.reset(archive_write_new());
    m_disk.reset(archive_read_disk_new());
    if (!m_archive || !m_disk) throw std::runtime_error("out of memory creating the archive writer");
    if (archive_write_add_filter_xz(m_archive.get()) != ARCHIVE_OK || archive_write_set_format_pax_restricted(m_archive.get()) != ARCHIVE_OK)
      throw std::runtime_error("libarchive cannot write tar.xz: " + archive_message(m_archive.get()));
    if (archive_write_open_filename(m_archive.get(), out.c_str()) != ARCHIVE_OK)
      throw std::runtime_error("cannot create " + out.string() + ": " + archive_message(m_archive.get()));
  }

  sdk::TarStats run(const fs::path& dir) {
    sdk::UniqueFd top(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!top) throw std::runtime_error("cannot open " + dir.string() + ": " + std::strerror(errno));
    m_top_mount = sdk::tree::detail::mount_id(top.get());
    struct stat st {};
    if (::fstat(top.get(), &st) != 0) throw std::runtime_error("cannot examine " + dir.string() + ": " + std::strerror(errno));
    if (m_opts.top_entry) add(top.get(), ".", dir, st, "");
    walk(top.get(), ".", dir);
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK)
      throw std::runtime_error("cannot finish " + m_out.string() + ": " + archive_message(m_archive.get()));
    return m_stats;
  }

 private:
  void walk(int dirfd, const std::string& name, const fs::path& shown) {
    for (const auto& n : sdk::tree::detail::list(dirfd, shown)) {
      const std::string rel = name + "/" + n;
      struct stat st {};
      if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw error("cannot examine", rel);
      if (S_ISDIR(st.st_mode)) {
        sdk::UniqueFd d(::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!d) throw error("cannot open", rel);
        add(d.get(), rel, shown / n, st, "");
        if (m_opts.cross_mounts || sdk::tree::detail::mount_id(d.get()) == m_top_mount) walk(d.get(), rel, shown / n);
      } else if (S_ISREG(st.st_mode)) {
        sdk::UniqueFd f(::openat(dirfd, n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!f) throw error("cannot open", rel);
        add(f.get(), rel, shown / n, st, "");
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
        ssize_t len = ::readlinkat(dirfd, n.c_str(), target.data(), target.size());
        if (len < 0) throw error("cannot read link", rel);
        target.resize(static_cast<size_t>(len));
        add(-1, rel, shown / n, st, target);
      } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        if (m_opts.devices == sdk::TarOptions::Devices::Refuse)
          throw std::runtime_error("refusing to archive the device node '" + rel + "': packages carry no device nodes");
        m_stats.skipped.push_back(rel + ": a device node");
      } else if (S_ISFIFO(st.st_mode)) {
        add(-1, rel, shown / n, st, "");
      } else {
        m_stats.skipped.push_back(rel + ": a socket");
      }
    }
  }

  void add(int fd, const std::string& rel, const fs::path& abs, const struct stat& st, const std::string& symlink_target) {
    Entry e(archive_entry_new());
    archive_entry_copy_pathname(e.get(), rel.c_str());
    archive_entry_copy_stat(e.get(), &st);
    bool data = S_ISREG(st.st_mode);
    if (S_ISLNK(st.st_mode)) {
      archive_entry_copy_symlink(e.get(), symlink_target.c_str());
    } else if (fd >= 0) {
      // Extended attributes, ACLs and file flags, read from the open file
      // (a directory's default ACL only by path: the absolute one).
      archive_entry_copy_sourcepath(e.get(), abs.c_str());
      if (archive_read_disk_entry_from_file(m_disk.get(), e.get(), fd, &st) < ARCHIVE_WARN)
        throw std::runtime_error("cannot read the attributes of '" + rel + "': " + archive_message(m_disk.get()));
      archive_entry_copy_pathname(e.get(), rel.c_str());
      archive_entry_set_uname(e.get(), nullptr);
      archive_entry_set_gname(e.get(), nullptr);
      drop_xattrs(e.get());
    }
    if (data && st.st_nlink > 1) {
      auto [it, first] = m_links.try_emplace({st.st_dev, st.st_ino}, rel);
      if (!first) {
        archive_entry_copy_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        data = false;
      }
    }
    if (archive_write_header(m_archive.get(), e.get()) < ARCHIVE_WARN)
      throw std::runtime_error("cannot archive '" + rel + "': " + archive_message(m_archive.get()));
    ++m_stats.entries;
    if (!data) return;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw error("cannot read", rel);
      if (n == 0) break;
      if (archive_write_data(m_archive.get(), buf, static_cast<size_t>(n)) < 0)
        throw std::runtime_error("cannot archive '" + rel + "': " + archive_message(m_archive.get()));
      m_stats.bytes += static_cast<std::uint64_t>(n);
    }
  }

  void drop_xattrs(archive_entry* e) const {
    if (m_opts.drop_xattr_prefixes.empty() || archive_entry_xattr_reset(e) == 0) return;
    struct Kept {
      std::string name;
      std::string value;
    };
    std::vector<Kept> kept;
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
      bool drop = false;
      for (const auto& p : m_opts.drop_xattr_prefixes) drop = drop || std::string(name).rfind(p, 0) == 0;
      if (!drop) kept.push_back({name, std::string(static_cast<const char*>(value), size)});
    }
    archive_entry_xattr_clear(e);
    for (const auto& k : kept) archive_entry_xattr_add_entry(e, k.name.c_str(), k.value.data(), k.value.size());
  }

  std::runtime_error error(const std::string& what, const std::string& rel) const {
    return std::runtime_error(what + " '" + rel + "': " + std::strerror(errno));
  }

  sdk::TarOptions m_opts;
  fs::path m_out;
  Writer m_archive;
  Reader m_disk;  // archive_read_disk_new()
  std::uint64_t m_top_mount = 0;
  std::map<std::pair<dev_t, ino_t>, std::string> m_links;
  sdk::TarStats m_stats;
};

}  // namespace

sdk::TarStats write_tar_xz(const fs::path& dir, const fs::path& out, const sdk::TarOptions& opts) {
  const fs::path tmp = out.parent_path() / sdk::temp_names::file_tmp(out.filename().string());
  try {
    sdk::TarStats stats;
    {
      TarWriter w(tmp, opts);
      stats = w.run(dir);
    }
    sdk::UniqueFd f(::open(tmp.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f || ::fsync(f.get()) != 0) throw std::runtime_error("cannot flush " + tmp.string() + ": " + std::strerror(errno));
    if (::rename(tmp.c_str(), out.c_str()) != 0) throw std::runtime_error("cannot create " + out.string() + ": " + std::strerror(errno));
    return stats;
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace iocell::plugins::libarchive
