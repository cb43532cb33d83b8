// Reading an image's files without trusting them: every path is opened
// below the image directory without following a symbolic link, every blob
// is held to the size and sha256 digest that names it, JSON is bounded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::oci {

/// The most a JSON document of an image (index, manifest, config) may hold.
inline constexpr std::uint64_t kMaxJsonBytes = 4u << 20;

/// "sha256:<64 lower-case hex>" -> the hex; throws naming `what` for any
/// other algorithm or a malformed digest.
std::string digest_hex(const std::string& digest, const std::string& what);

/// Opens the regular file at `rel` below `dir` (no symbolic link anywhere).
sdk::UniqueFd open_in(const sdk::SafeRoot& dir, const std::filesystem::path& rel, std::uint64_t& size);

/// The file's content, refused beyond `max` bytes.
std::string read_all(int fd, std::uint64_t max, const std::string& what);

/// The sha256 hex of what remains of `fd` from its start.
std::string sha256_of(int fd);

/// Reads the blob `rel`, checks that it has `size` bytes (when not
/// UINT64_MAX) and the sha256 `hex`, and parses it as JSON.
nlohmann::json read_json_blob(const sdk::SafeRoot& dir, const std::filesystem::path& rel, const std::string& hex,
                              std::uint64_t size, const std::string& what);

/// A JSON file that no digest names (index.json, a docker manifest.json).
nlohmann::json read_json_file(const sdk::SafeRoot& dir, const std::filesystem::path& rel, const std::string& what);

}  // namespace iocell::plugins::oci
