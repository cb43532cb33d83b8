#include <iocell/core/self_exe.hpp>

#include <climits>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#ifdef __FreeBSD__
#include <sys/types.h>
#include <sys/auxv.h>
#include <sys/sysctl.h>
#else
#include <unistd.h>
#endif

namespace iocell::core {

std::filesystem::path self_exe() {
  char buf[PATH_MAX + 1] = {};
#ifdef __FreeBSD__
  if (::elf_aux_info(AT_EXECPATH, buf, sizeof buf) == 0 && buf[0] == '/') return buf;
  int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
  size_t len = sizeof buf;
  if (::sysctl(mib, 4, buf, &len, nullptr, 0) == 0 && buf[0] == '/') return buf;
  throw std::runtime_error(std::string("cannot find the iocell binary's path (AT_EXECPATH and kern.proc.pathname): ") +
                           std::strerror(errno));
#else
  const ssize_t n = ::readlink("/proc/self/exe", buf, PATH_MAX);
  if (n > 0 && buf[0] == '/') return std::string(buf, static_cast<size_t>(n));
  throw std::runtime_error(std::string("cannot find the iocell binary's path (/proc/self/exe): ") + std::strerror(errno));
#endif
}

}  // namespace iocell::core
