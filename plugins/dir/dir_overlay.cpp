#include "dir_overlay.hpp"

#include <unistd.h>
#ifdef __linux__
#include <sys/mount.h>
#endif

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <iocell/sdk/file_tree.hpp>

namespace iocell::plugins::dir {

bool overlay_supported() {
#ifdef __linux__
  if (::geteuid() != 0) return false;
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() >= 7 && line.compare(line.size() - 7, 7, "overlay") == 0) return true;
  }
#endif
  return false;
}

void mount_overlay(const std::filesystem::path& lower, const std::filesystem::path& upper,
                   const std::filesystem::path& work, const std::filesystem::path& target, bool readonly) {
#ifdef __linux__
  for (const auto* p : {&lower, &upper, &work}) {
    // The option string is comma and colon separated.
    if (p->string().find_first_of(",:\\") != std::string::npos)
      throw std::runtime_error("cannot use overlayfs with the path " + p->string() + ": it contains ',', ':' or '\\'");
  }
  const std::string opts = "lowerdir=" + lower.string() + ",upperdir=" + upper.string() + ",workdir=" + work.string();
  if (::mount("overlay", target.c_str(), "overlay", readonly ? MS_RDONLY : 0, opts.c_str()) != 0)
    throw std::runtime_error("cannot mount overlay at " + target.string() + " (" + opts + "): " + std::strerror(errno));
#else
  (void)lower;
  (void)upper;
  (void)work;
  (void)readonly;
  throw std::runtime_error("overlay clones need Linux; cannot mount " + target.string());
#endif
}

void unmount_path(const std::filesystem::path& target) {
#ifdef __linux__
  if (!sdk::tree::is_mount_point(target)) return;
  if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT) {
    if (errno == EBUSY)
      throw std::runtime_error("cannot unmount " + target.string() + ": it is busy (a running jail or a process inside it)");
    throw std::runtime_error("cannot unmount " + target.string() + ": " + std::strerror(errno));
  }
#else
  (void)target;
#endif
}

}  // namespace iocell::plugins::dir
