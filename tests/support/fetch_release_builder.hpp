// Builds FreeBSD-shaped release directories for tests (header-only): a tiny
// root filesystem from Debian's busybox-static, packed as base.txz with
// libarchive, and a MANIFEST in the FreeBSD format (6 tab-separated fields).
// Also writes hand-made archives (.. entries, absolute paths, symlinks,
// device nodes) for the extractor's refusal tests.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/core/release/sha256.hpp>

namespace iocell::testing {

namespace fetch_fs = std::filesystem;

/// One archive member for write_archive().
struct TarEntry {
  enum Kind { File, Dir, Symlink, Hardlink, CharDevice, BlockDevice };
  Kind kind = File;
  std::string path;
  std::string content;  ///< File
  std::string target;   ///< Symlink, Hardlink
  unsigned mode = 0644;
  std::int64_t uid = 0, gid = 0;
  unsigned dev_major = 0, dev_minor = 0;
};

enum class Compression { None, Xz, Gzip, Zstd };

inline void write_archive(const fetch_fs::path& out, const std::vector<TarEntry>& entries,
                          Compression compression = Compression::Xz) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (compression == Compression::Xz) archive_write_add_filter_xz(a);
  else if (compression == Compression::Gzip) archive_write_add_filter_gzip(a);
  else if (compression == Compression::Zstd) archive_write_add_filter_zstd(a);
  if (archive_write_open_filename(a, out.c_str()) != ARCHIVE_OK)
    throw std::runtime_error("cannot write " + out.string() + ": " + archive_error_string(a));
  for (const auto& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, 1700000000, 0);
    switch (t.kind) {
      case TarEntry::File:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.content.size()));
        break;
      case TarEntry::Dir:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
      case TarEntry::Symlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.target.c_str());
        break;
      case TarEntry::Hardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.target.c_str());
        break;
      case TarEntry::CharDevice:
      case TarEntry::BlockDevice:
        archive_entry_set_filetype(e, t.kind == TarEntry::CharDevice ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdevmajor(e, t.dev_major);
        archive_entry_set_rdevminor(e, t.dev_minor);
        break;
    }
    archive_entry_set_perm(e, t.mode);
    if (archive_write_header(a, e) != ARCHIVE_OK)
      throw std::runtime_error("cannot add " + t.path + ": " + archive_error_string(a));
    if (t.kind == TarEntry::File && !t.content.empty())
      archive_write_data(a, t.content.data(), t.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

/// Packs a directory tree (as root sees it: owners, modes, symlinks) into
/// `out`, members named "./path" like FreeBSD's sets. Returns the member count.
inline std::uint64_t write_archive_from_dir(const fetch_fs::path& out, const fetch_fs::path& dir,
                                            Compression compression = Compression::Xz) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (compression == Compression::Xz) archive_write_add_filter_xz(a);
  else if (compression == Compression::Gzip) archive_write_add_filter_gzip(a);
  else if (compression == Compression::Zstd) archive_write_add_filter_zstd(a);
  if (archive_write_open_filename(a, out.c_str()) != ARCHIVE_OK)
    throw std::runtime_error("cannot write " + out.string() + ": " + archive_error_string(a));
  archive* disk = archive_read_disk_new();
  std::uint64_t count = 0;
  std::vector<fetch_fs::path> paths;
  for (auto it = fetch_fs::recursive_directory_iterator(dir); it != fetch_fs::recursive_directory_iterator(); ++it)
    paths.push_back(it->path());
  std::sort(paths.begin(), paths.end());
  std::vector<char> buf(1 << 16);
  for (const auto& p : paths) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_sourcepath(e, p.c_str());
    struct stat st {};
    ::lstat(p.c_str(), &st);
    archive_read_disk_entry_from_file(disk, e, -1, &st);
    archive_entry_set_pathname(e, ("./" + p.lexically_relative(dir).string()).c_str());
    archive_write_header(a, e);
    if (S_ISREG(st.st_mode)) {
      std::ifstream in(p, std::ios::binary);
      while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0) archive_write_data(a, buf.data(), static_cast<std::size_t>(in.gcount()));
      }
    }
    archive_entry_free(e);
    ++count;
  }
  archive_read_free(disk);
  archive_write_close(a);
  archive_write_free(a);
  return count;
}

/// A minimal userland that the Linux runtime can start: bin/busybox with
/// applet symlinks, etc/passwd, etc/group, and an etc/rc that prints a line
/// and exits.
inline void make_busybox_rootfs(const fetch_fs::path& dir) {
  const fetch_fs::path busybox = "/bin/busybox";
  if (!fetch_fs::exists(busybox)) throw std::runtime_error("/bin/busybox is missing (apt-get install busybox-static)");
  for (const char* d : {"bin", "sbin", "etc", "tmp", "root", "dev", "var/log", "usr/bin"})
    fetch_fs::create_directories(dir / d);
  fetch_fs::permissions(dir / "tmp", fetch_fs::perms::all | fetch_fs::perms::sticky_bit);
  fetch_fs::copy_file(busybox, dir / "bin/busybox", fetch_fs::copy_options::overwrite_existing);
  fetch_fs::permissions(dir / "bin/busybox", static_cast<fetch_fs::perms>(0755));
  for (const char* applet : {"sh", "ls", "cat", "echo", "sleep", "true", "false", "mkdir", "rm", "ps", "id", "hostname", "env", "kill"}) {
    std::error_code ec;
    fetch_fs::remove(dir / "bin" / applet, ec);
    fetch_fs::create_symlink("busybox", dir / "bin" / applet);
  }
  std::ofstream(dir / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
  std::ofstream(dir / "etc/group") << "root:x:0:\nwheel:x:0:root\nnogroup:x:65534:\n";
  std::ofstream(dir / "etc/rc") << "#!/bin/sh\necho \"rc: $(hostname) up\"\nexit 0\n";
  fetch_fs::permissions(dir / "etc/rc", static_cast<fetch_fs::perms>(0755));
}

inline std::string manifest_line(const std::string& file, const std::string& sha256, std::uint64_t nfiles,
                                 const std::string& description = "Base system (MANDATORY)", bool on = true) {
  std::string dist = file.substr(0, file.rfind(".txz"));
  for (auto& c : dist)
    if (c == '-') c = '_';
  return file + "\t" + sha256 + "\t" + std::to_string(nfiles) + "\t" + dist + "\t\"" + description + "\"\t" +
         (on ? "on" : "off") + "\n";
}

/// A release directory as a mirror serves it: <dir>/base.txz and
/// <dir>/MANIFEST (plus any extra sets given as archives already written
/// into dir).
struct TestRelease {
  fetch_fs::path dir;
  std::string base_sha256;
  std::uint64_t base_size = 0;
};

/// base.txz of the busybox tree, built once per test process (xz takes a
/// second) and copied from there; removed when the process exits.
inline std::pair<fetch_fs::path, std::uint64_t> cached_busybox_base() {
  struct Cache {
    fetch_fs::path dir;
    std::uint64_t members = 0;
    Cache() {
      dir = fetch_fs::temp_directory_path() / ("iocell-busybox-base-" + std::to_string(::getpid()));
      fetch_fs::remove_all(dir);
      fetch_fs::create_directories(dir / "rootfs");
      make_busybox_rootfs(dir / "rootfs");
      members = write_archive_from_dir(dir / "base.txz", dir / "rootfs");
      fetch_fs::remove_all(dir / "rootfs");
    }
    ~Cache() {
      std::error_code ec;
      fetch_fs::remove_all(dir, ec);
    }
  };
  static Cache cache;
  return {cache.dir / "base.txz", cache.members};
}

inline TestRelease make_test_release(const fetch_fs::path& dir, const std::vector<std::string>& extra_sets = {}) {
  fetch_fs::create_directories(dir);
  TestRelease r;
  r.dir = dir;
  auto [base, n] = cached_busybox_base();
  fetch_fs::copy_file(base, dir / "base.txz", fetch_fs::copy_options::overwrite_existing);
  r.base_sha256 = core::Sha256::of_file(dir / "base.txz");
  r.base_size = fetch_fs::file_size(dir / "base.txz");
  std::string manifest = manifest_line("base.txz", r.base_sha256, n);
  for (const auto& set : extra_sets)
    manifest += manifest_line(set, core::Sha256::of_file(dir / set), 1, set, false);
  std::ofstream(dir / "MANIFEST") << manifest;
  return r;
}

}  // namespace iocell::testing
