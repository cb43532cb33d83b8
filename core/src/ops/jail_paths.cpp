#include <iocell/core/ops/jail_paths.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <iocell/core/errors.hpp>

namespace iocell::core {

JailWalk walk_in_jail(const std::filesystem::path& root, const std::filesystem::path& rel, const std::string& jail, WhenMissing missing,
                      bool directories_only) {
  JailWalk walk;
  walk.fd.reset(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!walk.fd) throw Refused("cannot open the root of " + jail + " (" + root.string() + "): " + std::strerror(errno));
  std::filesystem::path shown = "/";
  for (const auto& part : rel) {
    shown /= part;
    struct stat st {};
    if (::fstatat(walk.fd.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT && missing == WhenMissing::Stop) {
        walk.complete = false;
        return walk;
      }
      if (errno == ENOENT) throw NotFound("there is no " + std::string(directories_only ? "directory " : "") + shown.string() + " in " + jail);
      throw Refused("cannot examine " + shown.string() + " in " + jail + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
      throw Refused(shown.string() + " in " + jail + " is a symbolic link: iocell never follows a link inside a jail from the host");
    if (directories_only && !S_ISDIR(st.st_mode)) throw Refused(shown.string() + " in " + jail + " is not a directory");
    // O_NOFOLLOW again: the link test above and this open are two moments.
    const int next = ::openat(walk.fd.get(), part.c_str(), O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : O_PATH));
    if (next < 0) throw Refused("cannot open " + shown.string() + " in " + jail + ": " + std::strerror(errno));
    walk.fd.reset(next);
  }
  return walk;
}

}  // namespace iocell::core
