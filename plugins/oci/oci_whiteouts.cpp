#include "oci_whiteouts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace iocell::plugins::oci {
namespace {

constexpr const char* kPrefix = ".wh.";
constexpr const char* kOpaque = ".wh..wh..opq";

[[noreturn]] void refuse(const std::string& entry, const std::string& why) {
  throw std::runtime_error("refusing layer entry '" + entry + "': " + why);
}

std::runtime_error sys(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

// Every name in the directory but "." and "..".
std::vector<std::string> names_in(int dirfd) {
  int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) throw sys("cannot read a directory");
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    throw sys("cannot read a directory");
  }
  std::vector<std::string> out;
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

void clear_dir(int dirfd) {
  for (const auto& n : names_in(dirfd)) remove_tree_at(dirfd, n);
}

}  // namespace

std::optional<Whiteout> parse_whiteout(const std::string& entry) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= entry.size()) {
    std::size_t slash = entry.find('/', start);
    std::string part = entry.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.empty() || parts.back().rfind(kPrefix, 0) != 0) return std::nullopt;
  if (!entry.empty() && entry[0] == '/') refuse(entry, "an absolute whiteout path");
  for (const auto& p : parts)
    if (p == "..") refuse(entry, "a whiteout path with '..'");
  Whiteout w;
  const std::string base = parts.back();
  parts.pop_back();
  for (const auto& p : parts) w.dir /= p;
  if (base == kOpaque) {
    w.opaque = true;
    return w;
  }
  w.name = base.substr(std::strlen(kPrefix));
  if (w.name.empty() || w.name == "." || w.name == "..") refuse(entry, "a whiteout that names no file");
  if (w.name.rfind(kPrefix, 0) == 0) refuse(entry, "a reserved whiteout name other than .wh..wh..opq");
  return w;
}

void remove_tree_at(int dirfd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw sys("cannot look at " + name);
  }
  if (S_ISDIR(st.st_mode)) {
    sdk::UniqueFd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw sys("cannot open directory " + name);
    clear_dir(sub.get());
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) throw sys("cannot remove directory " + name);
    return;
  }
  if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) throw sys("cannot remove " + name);
}

void apply_whiteout(const sdk::SafeRoot& root, const Whiteout& w) {
  sdk::UniqueFd dir(::open(root.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw sys("cannot open " + root.path().string());
  for (const auto& part : sdk::SafeRoot::components(w.dir)) {
    int next = ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      if (errno == ENOENT) return;  // nothing below to delete
      if (errno == ELOOP || errno == ENOTDIR)
        throw std::runtime_error("refusing whiteout in " + w.dir.string() + ": '" + part +
                                 "' is a symbolic link or no directory");
      throw sys("cannot open " + (root.path() / w.dir).string());
    }
    dir = sdk::UniqueFd(next);
  }
  if (w.opaque) clear_dir(dir.get());
  else remove_tree_at(dir.get(), w.name);
}

}  // namespace iocell::plugins::oci
