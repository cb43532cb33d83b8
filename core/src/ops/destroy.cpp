#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>

#include <spdlog/spdlog.h>

#include <iocell/sdk/temp_names.hpp>

namespace iocell::core {

namespace temp_names = sdk::temp_names;

std::string describe_datasets(Context& ctx, const std::vector<std::string>& datasets) {
  std::string out;
  auto jails = ctx.inventory().all();
  for (const auto& ds : datasets) {
    std::string name = ds;
    for (const auto& j : jails) {
      if (ds == j.dataset || ds.rfind(j.dataset + "/", 0) == 0) name = j.uuid + " (" + j.tag() + ")";
    }
    if (out.find(name) == std::string::npos) out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

namespace {

// What a destroy does once the jail is out of `list`; `clean` calls it for
// a destroy that stopped.
void finish_destroy(Context& ctx, const JailRecord& rec, bool resumed) {
  sdk::Storage& storage = ctx.storage();
  // A destroy resumed by `clean` may find the root already gone.
  const std::string origin = !resumed || storage.exists(rec.dataset + "/root") ? storage.origin(rec.dataset + "/root") : std::string();
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  sdk::JailType* type = nullptr;
  try {
    type = &ctx.jail_type(rec.get("type"));
  } catch (const NotFound& e) {
    // The jail still goes; what its type made elsewhere cannot be known.
    ctx.host().log->warn("{}; destroying {} without its type's clean-up", e.what(), rec.uuid);
  }
  if (!resumed || storage.exists(rec.dataset)) storage.destroy(rec.dataset);
  if (type) type->after_destroy(storage, spec);
  if (!origin.empty()) {
    // The snapshot a clone was made from is named after the clone; it goes
    // with it unless another clone uses it. Snapshots users took stay.
    const auto at = origin.find('@');
    const std::string src = origin.substr(0, at), snap = origin.substr(at + 1);
    bool used = false, present = false;
    if (snap == rec.uuid && storage.exists(src))
      for (const auto& s : storage.snapshots(src)) present = present || s.name == snap;
    if (snap == rec.uuid && !present) {
      // Removed by hand or lost: the clone is gone all the same.
      ctx.host().log->warn("the origin snapshot {} of {} was already gone", origin, rec.uuid);
    } else if (present) {
      for (const auto& d : storage.dependents(src)) used = used || storage.origin(d) == origin;
      if (!used) storage.destroy_snapshot(src, snap, false);
    }
  }
  // A start that failed where even its undo could not finish leaves groups
  // a destroyed jail would never remove.
  try {
    ctx.limits().clean_leftovers([&](const std::string& uuid) { return uuid == rec.uuid; });
  } catch (const NotFound& e) {
    ctx.host().log->debug("no limits backend to clean up after {}: {}", rec.uuid, e.what());
  }
  std::error_code ec;
  std::filesystem::remove(ctx.log_dir() / (rec.uuid + "-console.log"), ec);
  std::filesystem::remove(ctx.locks_dir() / rec.uuid, ec);
}

}  // namespace

void destroy_jail(Context& ctx, const JailRecord& rec, bool force) {
  // stop_jail takes the jail's lock itself (flock locks are per open file,
  // not reentrant), so stop first, then lock and check again.
  if (run_state(ctx, rec)) {
    if (!force) throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is running; stop it first or use destroy -f");
    stop_jail(ctx, rec);
  }
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  if (run_state(ctx, rec)) throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") was started again while being destroyed");
  sdk::Storage& storage = ctx.storage();
  auto deps = storage.dependents(rec.dataset);
  if (!deps.empty())
    throw Refused("cannot destroy " + rec.uuid + " (" + rec.tag() + "): these clones depend on it: " +
                  describe_datasets(ctx, deps) + " (promote them or destroy them first)");
  // Out of `list` first, in one rename: a destroy stopped halfway leaves no
  // listed jail with part of its files, and `clean` finishes it.
  const auto config = rec.home / "config.json", gone = rec.home / std::string(temp_names::kGoneConfig);
  if (!ctx.dry_run() && ::rename(config.c_str(), gone.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("cannot mark " + rec.uuid + " as being destroyed (rename " + config.string() + "): " +
                             std::strerror(errno));
  try {
    finish_destroy(ctx, rec, false);
  } catch (const std::exception&) {
    // The error keeps its kind (and so the exit code); the note says where the jail went.
    ctx.host().log->warn("{} is no longer listed; iocell clean finishes destroying it", rec.uuid);
    throw;
  }
}

std::vector<std::string> clean_leftovers(Context& ctx) {
  std::vector<std::string> removed;
  sdk::Storage& storage = ctx.storage();
  // Creators hold these locks while they build; a leftover is one nobody holds.
  FileLock inventory(ctx.locks_dir() / "inventory", "the jail inventory");
  std::map<std::string, FileLock> held;
  const auto idle = [&](const std::string& lock, const std::string& what) {
    if (held.count(lock)) return true;
    auto l = FileLock::try_lock(ctx.locks_dir() / lock, what);
    if (!l.held()) return false;
    held.emplace(lock, std::move(l));
    return true;
  };
  for (const char* parent : {"jails", "templates", "releases"}) {
    std::error_code ec;
    std::vector<std::filesystem::path> entries;
    for (const auto& e : std::filesystem::directory_iterator(ctx.root() / parent, ec)) entries.push_back(e.path());
    for (const auto& path : entries) {
      const std::string name = path.filename().string();
      const std::string ds = std::string(parent) + "/" + name;
      if (temp_names::starts_with(name, temp_names::kStaging)) {
        const std::string rest = name.substr(temp_names::kStaging.size());
        const std::string release = rest.substr(0, rest.rfind('-'));
        if (!idle("release-" + release, "release " + release)) continue;
      } else if (temp_names::starts_with(name, temp_names::kNewJail)) {
        // Its creator holds the inventory lock, which clean holds now.
      } else if (temp_names::starts_with(name, temp_names::kIncoming)) {
        // An interrupted first receive, kept to be resumed: a receive
        // working on it holds its jail's lock.
        const std::string uuid = name.substr(temp_names::kIncoming.size());
        if (!idle(uuid, "jail " + uuid)) continue;
      } else if (std::string(parent) == "releases") {
        continue;
      } else if (std::filesystem::exists(path / std::string(temp_names::kGoneConfig), ec)) {
        if (!idle(name, "jail " + name)) continue;
        finish_destroy(ctx, JailRecord{name, ds, path, read_config(path / std::string(temp_names::kGoneConfig))}, true);
        removed.push_back(ds);
        continue;
      } else {
        // A half-replaced config.json beside the whole one.
        std::vector<std::filesystem::path> tmps;
        for (const auto& f : std::filesystem::directory_iterator(path, ec))
          if (temp_names::is_file_tmp(f.path().filename().string(), "config.json")) tmps.push_back(f.path());
        if (!tmps.empty() && idle(name, "jail " + name)) {
          for (const auto& t : tmps) {
            std::filesystem::remove(t, ec);
            removed.push_back(t.string());
          }
        }
        continue;
      }
      storage.destroy(ds);
      removed.push_back(ds);
    }
  }
  // A fetch killed before its first byte arrived left an empty
  // download/<release>; one with data is kept for the next fetch to resume.
  {
    std::error_code ec;
    std::vector<std::filesystem::path> downloads;
    for (const auto& e : std::filesystem::directory_iterator(ctx.root() / "download", ec)) downloads.push_back(e.path());
    for (const auto& path : downloads) {
      const std::string release = path.filename().string();
      if (!std::filesystem::is_directory(std::filesystem::symlink_status(path, ec)) || !std::filesystem::is_empty(path, ec)) continue;
      if (!idle("release-" + release, "release " + release)) continue;
      if (std::filesystem::remove(path, ec)) removed.push_back(path.string());
    }
  }
  // A clone made from a jail as it is now snapshots the source under the
  // clone's UUID first; killed before the clone was published, that
  // snapshot has no clone and no jail of that name.
  const auto jails = ctx.inventory().all();
  std::set<std::string> uuids;
  for (const auto& rec : jails) uuids.insert(rec.uuid);
  for (const auto& rec : jails) {
    const std::string src_root = rec.dataset + "/root";
    if (!storage.exists(src_root)) continue;
    std::set<std::string> used;
    for (const auto& d : storage.dependents(src_root)) {
      const std::string o = storage.origin(d);
      used.insert(o.substr(o.find('@') + 1));
    }
    for (const auto& snap : storage.snapshots(src_root)) {
      if (!Inventory::is_uuid(snap.name) || used.count(snap.name) || uuids.count(snap.name)) continue;
      std::error_code ec;
      if (std::filesystem::exists(ctx.root() / "jails" / snap.name, ec) || std::filesystem::exists(ctx.root() / "templates" / snap.name, ec))
        continue;
      if (!idle(rec.uuid, "jail " + rec.uuid)) break;
      storage.destroy_snapshot(src_root, snap.name, false);
      removed.push_back(src_root + "@" + snap.name);
    }
  }
  // Groups are host-wide: only this root's jails are ours to judge (a
  // destroyed jail's went with its destroy).
  for (const auto& line : ctx.limits().clean_leftovers([&](const std::string& uuid) {
         return uuids.count(uuid) && idle(uuid, "jail " + uuid);
       }))
    removed.push_back(line);
  // The storage's own leftovers, of datasets no command holds: a jail's
  // under its lock, a release's under the release's.
  for (const auto& line : storage.clean_leftovers([&](const std::string& dataset) {
         const auto slash = dataset.find('/');
         if (slash == std::string::npos) return true;
         const std::string top = dataset.substr(0, slash), rest = dataset.substr(slash + 1);
         const std::string second = rest.substr(0, rest.find('/'));
         if (top == "releases") return idle("release-" + second, "release " + second);
         if (Inventory::is_uuid(second)) return idle(second, "jail " + second);
         return true;
       }))
    removed.push_back(line);
  // Links of destroyed jails and retired tags; and a config edited by hand
  // gets its tag linked.
  if (!ctx.dry_run())
    for (const auto& link : ctx.inventory().rebuild_tag_index()) removed.push_back("tag link " + link);
  return removed;
}

void discard_staging(Context& ctx, const std::string& staging) noexcept {
  try {
    if (ctx.storage().exists(staging)) ctx.storage().destroy(staging);
  } catch (const std::exception& e) {
    ctx.host().log->warn("removing {} failed: {} (iocell clean removes it)", staging, e.what());
  }
}

}  // namespace iocell::core
