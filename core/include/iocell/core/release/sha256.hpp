// SHA-256 (FIPS 180-4) for MANIFEST checks. Incremental, so that the bytes
// are hashed as they stream in and never read a second time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace iocell::core {

class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(const void* data, std::size_t len);
  /// Lower-case hex digest; the object must be reset() before reuse.
  std::string hex_digest();

  static std::string of(const std::string& data);
  static std::string of_file(const std::filesystem::path& file);

 private:
  void block(const unsigned char* p);
  std::array<std::uint32_t, 8> m_h{};
  std::array<unsigned char, 64> m_buf{};
  std::size_t m_buffered = 0;
  std::uint64_t m_length = 0;
};

}  // namespace iocell::core
