// config.json and defaults.json: the single source of truth for properties,
// written atomically (temp file, fsync, rename, fsync of the directory).
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace iocell::core {

using PropertyValues = std::map<std::string, std::string>;

/// Reads {"config_version": 1, "properties": {...}}. A missing file gives an
/// empty map; a corrupt one throws naming the file.
PropertyValues read_config(const std::filesystem::path& file);
void write_config(const std::filesystem::path& file, const PropertyValues& values);

/// Writes `content` to `file` atomically and durably.
void write_file_atomic(const std::filesystem::path& file, const std::string& content, unsigned mode = 0644);
std::string read_file(const std::filesystem::path& file);

}  // namespace iocell::core
