// Hostile btrfs send streams for tests, made from a real `btrfs send`: the
// path attributes that name one file are renamed, and each changed command
// gets its length and CRC-32C again, so that `btrfs receive` takes it.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "btrfs_stream.hpp"

namespace iocell::test::storage {

/// `stream` with every PATH / PATH_TO attribute equal to `from` set to `to`.
inline std::string forge_btrfs_paths(const std::string& stream, const std::string& from, const std::string& to) {
  constexpr std::size_t kHead = 17, kCmd = 10;
  constexpr std::uint16_t kPath = 15, kPathTo = 16;
  auto u16 = [](const std::string& s, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8);
  };
  auto u32 = [&](const std::string& s, std::size_t at) { return static_cast<std::uint32_t>(u16(s, at) | u16(s, at + 2) << 16); };
  auto put16 = [](std::string& s, std::uint16_t v) { s += static_cast<char>(v & 0xff), s += static_cast<char>(v >> 8); };
  auto put32 = [&](std::string& s, std::uint32_t v) { put16(s, static_cast<std::uint16_t>(v)), put16(s, static_cast<std::uint16_t>(v >> 16)); };
  if (stream.size() < kHead || u32(stream, 13) != 1) throw std::runtime_error("forge_btrfs_paths: not a version 1 send stream");
  std::string out = stream.substr(0, kHead);
  for (std::size_t at = kHead; at + kCmd <= stream.size();) {
    const std::uint32_t len = u32(stream, at);
    const std::uint16_t cmd = u16(stream, at + 4);
    std::string body;
    for (std::size_t a = at + kCmd; a < at + kCmd + len;) {
      const std::uint16_t type = u16(stream, a), alen = u16(stream, a + 2);
      std::string value = stream.substr(a + 4, alen);
      if ((type == kPath || type == kPathTo) && value == from) value = to;
      put16(body, type);
      put16(body, static_cast<std::uint16_t>(value.size()));
      body += value;
      a += 4u + alen;
    }
    std::string command;
    put32(command, static_cast<std::uint32_t>(body.size()));
    put16(command, cmd);
    put32(command, 0);
    command += body;
    const std::uint32_t crc = iocell::plugins::btrfs::stream_crc32c(0, reinterpret_cast<const unsigned char*>(command.data()), command.size());
    for (int i = 0; i < 4; ++i) command[6 + i] = static_cast<char>(crc >> (8 * i));
    out += command;
    at += kCmd + len;
  }
  return out;
}

}  // namespace iocell::test::storage
