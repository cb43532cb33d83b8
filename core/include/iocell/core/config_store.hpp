// config.json and defaults.json: the single source of truth for properties,
// written atomically (temp file, fsync, rename, fsync of the directory).
#pragma once

#include <filesystem>
#include <optional>
#include <map>
#include <string>
#include <string_view>

namespace iocell::core {

using PropertyValues = std::map<std::string, std::string>;

/// Reads {"config_version": 1, "properties": {...}}. A missing file gives an
/// empty map; a corrupt one throws naming the file.
PropertyValues read_config(const std::filesystem::path& file);
/// The text of a config file already read; `file` names it in errors.
PropertyValues parse_config(const std::string& text, const std::string& file);
/// The whole file, or nullopt when it does not exist. Throws on other errors.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& file);
/// The same for a plain string path: no path object to build (the inventory
/// reads one file per jail).
std::optional<std::string> read_file_if_exists(const char* file);
/// How far a write waits for the disk. Durable: the content is flushed
/// before the rename that publishes it, and the directory after it.
/// ContentOnly: the directory flush is left out, for a file in a staging
/// directory whose own rename into place comes later (a lost rename leaves a
/// staging leftover that `iocell clean` removes, never a half-written file):
/// on btrfs each flush is a log commit.
enum class Sync { Durable, ContentOnly };

void write_config(const std::filesystem::path& file, const PropertyValues& values, Sync sync = Sync::Durable);
/// The text write_config writes.
std::string render_config(const PropertyValues& values);

/// A file written now and put in place later: the content goes at once to
/// a temporary file beside `file`; publish() flushes it and renames it into
/// place. begin_flush() writes the data out ahead: when an operation that
/// commits the whole filesystem (a btrfs snapshot) comes in between, the
/// flush in publish() finds it done. Never published, the temporary file is
/// removed.
class PendingFile {
 public:
  PendingFile(std::filesystem::path file, const std::string& content, unsigned mode = 0644);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  void begin_flush();
  void publish(Sync sync = Sync::Durable);

 private:
  std::filesystem::path m_file, m_tmp;
  int m_fd = -1;
};

/// Writes `content` to `file` atomically (temporary file, flush, rename).
void write_file_atomic(const std::filesystem::path& file, const std::string& content, unsigned mode = 0644,
                       Sync sync = Sync::Durable);
std::string read_file(const std::filesystem::path& file);

}  // namespace iocell::core
