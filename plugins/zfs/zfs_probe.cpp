#include "zfs_probe.hpp"

#include <dirent.h>
#include <sys/param.h>
#include <sys/mount.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "zfs_parse.hpp"

namespace iocell::plugins::zfs {
namespace {

class SystemProbe : public HostProbe {
 public:
  std::string zfs_mounted_at(const std::filesystem::path& path) const override {
#if defined(__FreeBSD__)
    struct statfs st {};
    if (::statfs(path.c_str(), &st) != 0) return "";
    // statfs of a directory inside a mount reports the mount it is on: only
    // a mount point whose mntonname is the path itself counts.
    if (std::strcmp(st.f_fstypename, "zfs") != 0 || path != std::filesystem::path(st.f_mntonname)) return "";
    return st.f_mntfromname;
#else
    std::ifstream in("/proc/self/mountinfo");
    std::ostringstream ss;
    ss << in.rdbuf();
    return mountinfo_zfs_source(ss.str(), path.string());
#endif
  }

  bool has_entries(const std::filesystem::path& path) const override {
    DIR* d = ::opendir(path.c_str());
    if (!d) return false;
    bool any = false;
    while (dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
        any = true;
        break;
      }
    }
    ::closedir(d);
    return any;
  }
};

}  // namespace

std::unique_ptr<HostProbe> make_system_probe() { return std::make_unique<SystemProbe>(); }

}  // namespace iocell::plugins::zfs
