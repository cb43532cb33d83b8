// What one migrate run knows, shared by the readers of each legacy layout.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <iocell/core/context.hpp>
#include <iocell/core/ops/migrate.hpp>
#include <iocell/sdk/runtime.hpp>

namespace iocell::core::migrate_detail {

namespace fs = std::filesystem;
using Status = MigratedJail::Status;

struct Migration {
  Migration(Context& c, const MigrateRequest& r) : ctx(c), req(r) {}
  Context& ctx;
  const MigrateRequest& req;
  bool dry = false;
  MigrateReport report;
  std::set<std::string> uuids;              ///< UUIDs iocell has, or that this run gave out
  std::map<std::string, std::string> tags;  ///< tag -> UUID, likewise
  PropertyValues existing_defaults;
  std::optional<std::map<std::string, sdk::RunState>> running;
};

inline bool has_entries(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && fs::directory_iterator(dir, ec) != fs::directory_iterator();
}

inline void give_tag(Migration& m, MigratedJail& j) {
  std::string tag = j.mapped.props.count("tag") ? j.mapped.props["tag"] : "";
  if (tag.empty()) {
    tag = j.uuid;
    j.mapped.notes.push_back("no valid tag; tagged with its UUID");
  }
  if (auto it = m.tags.find(tag); it != m.tags.end() && it->second != j.uuid) {
    const std::string other = it->second;
    tag += "-" + j.uuid.substr(0, 8);
    j.mapped.notes.push_back("tag " + j.mapped.props["tag"] + " is used by " + other + "; tagged " + tag);
  }
  m.tags[tag] = j.uuid;
  j.tag = tag;
  j.mapped.props["tag"] = tag;
  j.mapped.props["uuid"] = j.uuid;
}

/// Python iocage (jails, templates and releases under `dir`): each jail is
/// copied into a new iocell jail, iocage's own files left as they were.
void scan_python_iocage(Migration& m, const fs::path& dir);

/// Whether `dir` looks like Python iocage's: a jail or template directory
/// holding a config.json.
bool is_python_iocage(const fs::path& dir);

}  // namespace iocell::core::migrate_detail
