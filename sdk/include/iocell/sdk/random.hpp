// Random names for temporary files and new UUIDs, from the kernel.
// std::random_device probes the CPU (cpuid, rdrand) at each construction:
// on a VM that traps to the hypervisor, paid again in every plugin that
// seeded its own generator. getrandom(2) is one system call on
// Linux and on FreeBSD 12 and later.
#pragma once

#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace iocell::sdk {

/// Fills `out` with `size` random bytes; throws only if the kernel cannot.
inline void random_bytes(void* out, std::size_t size) {
  auto* p = static_cast<unsigned char*>(out);
  while (size > 0) {
    const ssize_t n = ::getrandom(p, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

/// `digits` lowercase hex digits (at most 16), for a temporary file's name.
inline std::string random_hex(int digits = 12) {
  std::uint64_t v = 0;
  random_bytes(&v, sizeof v);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits && i < 16; ++i) s += kHex[(v >> (i * 4)) & 15];
  return s;
}

}  // namespace iocell::sdk
