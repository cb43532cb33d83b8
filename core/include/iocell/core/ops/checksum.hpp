// The "<archive>.sha256" files beside packages and exported images.
#pragma once

#include <filesystem>
#include <string>

namespace iocell::core {

/// Writes "<sha256 hex>\n" of `file` to `checksum_file` and returns the hex.
std::string write_checksum(const std::filesystem::path& file, const std::filesystem::path& checksum_file);

/// The digest a checksum file holds: its first word, 64 hex digits, lower
/// case ("sha256 -q" and "sha256sum" formats). Throws naming the file.
std::string read_checksum(const std::filesystem::path& checksum_file);

}  // namespace iocell::core
