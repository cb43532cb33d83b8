// SHA-256 (FIPS 180-4): release MANIFEST checks in the core, OCI image
// digests in plugins. Incremental, so that the bytes are hashed as they
// stream in and never read a second time. Header-only like the rest of the SDK.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace iocell::support {

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

namespace sha256_detail {

inline constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

}  // namespace sha256_detail

inline void Sha256::reset() {
  m_h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  m_buffered = 0;
  m_length = 0;
}

inline void Sha256::block(const unsigned char* p) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) | (std::uint32_t(p[4 * i + 2]) << 8) |
           std::uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 = sha256_detail::rotr(w[i - 15], 7) ^ sha256_detail::rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 = sha256_detail::rotr(w[i - 2], 17) ^ sha256_detail::rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = m_h[0], b = m_h[1], c = m_h[2], d = m_h[3], e = m_h[4], f = m_h[5], g = m_h[6], h = m_h[7];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t t1 = h + (sha256_detail::rotr(e, 6) ^ sha256_detail::rotr(e, 11) ^ sha256_detail::rotr(e, 25)) + ((e & f) ^ (~e & g)) + sha256_detail::kRound[i] + w[i];
    std::uint32_t t2 = (sha256_detail::rotr(a, 2) ^ sha256_detail::rotr(a, 13) ^ sha256_detail::rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  m_h[0] += a;
  m_h[1] += b;
  m_h[2] += c;
  m_h[3] += d;
  m_h[4] += e;
  m_h[5] += f;
  m_h[6] += g;
  m_h[7] += h;
}

inline void Sha256::update(const void* data, std::size_t len) {
  auto p = static_cast<const unsigned char*>(data);
  m_length += len;
  if (m_buffered > 0) {
    std::size_t take = std::min(len, 64 - m_buffered);
    std::memcpy(m_buf.data() + m_buffered, p, take);
    m_buffered += take;
    p += take;
    len -= take;
    if (m_buffered < 64) return;
    block(m_buf.data());
    m_buffered = 0;
  }
  for (; len >= 64; p += 64, len -= 64) block(p);
  std::memcpy(m_buf.data(), p, len);
  m_buffered = len;
}

inline std::string Sha256::hex_digest() {
  const std::uint64_t bits = m_length * 8;
  const unsigned char pad = 0x80;
  update(&pad, 1);
  const unsigned char zero = 0;
  while (m_buffered != 56) update(&zero, 1);
  unsigned char len_be[8];
  for (int i = 0; i < 8; ++i) len_be[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  update(len_be, 8);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::uint32_t v : m_h)
    for (int s = 28; s >= 0; s -= 4) out += hex[(v >> s) & 15];
  return out;
}

inline std::string Sha256::of(const std::string& data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.hex_digest();
}

inline std::string Sha256::of_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return h.hex_digest();
}

}  // namespace iocell::support
