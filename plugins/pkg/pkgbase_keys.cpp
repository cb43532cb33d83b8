#include "pkgbase_keys.hpp"

#include <sys/stat.h>

#include <stdexcept>
#include <string>

namespace iocell::plugins::pkg {

std::filesystem::path host_pkgbase_key(const std::filesystem::path& host_keys, int major) {
  const auto key = host_keys / ("pkgbase-" + std::to_string(major));
  struct stat st {};
  if (::stat(key.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("this host has no " + key.string() + ", the key FreeBSD-base " + std::to_string(major) +
                             " packages are signed with (a FreeBSD " + std::to_string(major) + " host has it); nothing was changed");
  return key;
}

}  // namespace iocell::plugins::pkg
