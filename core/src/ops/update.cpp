#include <iocell/core/ops/update.hpp>

#include <time.h>

#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/snapshots.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/sdk/file_tree.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

namespace {

bool snapshot_exists(Context& ctx, const JailRecord& rec, const std::string& name) {
  for (const auto& ds : jail_datasets(ctx, rec))
    for (const auto& s : ctx.storage().snapshots(ds))
      if (s.name == name) return true;
  return false;
}

// Puts every dataset back as it was at `snap` and removes the snapshot, so
// that the next attempt starts from the same state and is not blocked by it.
void back_out(Context& ctx, const JailRecord& rec, const std::string& snap) {
  sdk::Storage& storage = ctx.storage();
  for (const auto& ds : jail_datasets(ctx, rec)) {
    for (const auto& s : storage.snapshots(ds)) {
      if (s.name == snap) {
        storage.rollback(ds, snap);
        break;
      }
    }
  }
  storage.destroy_snapshot(rec.dataset, snap, true);
}

// Runs `change` behind snapshot `snap`; on failure backs out and throws an
// error that says so (or that backing out failed too, and how to finish).
template <class Fn>
void behind_snapshot(Context& ctx, const JailRecord& rec, const std::string& snap, const std::string& what, Fn&& change) {
  ctx.storage().snapshot(rec.dataset, snap, true);
  try {
    change();
  } catch (const std::exception& e) {
    const std::string why = e.what();
    try {
      back_out(ctx, rec, snap);
    } catch (const std::exception& e2) {
      throw std::runtime_error(what + " of " + rec.uuid + " (" + rec.tag() + ") failed: " + why + "; rolling back to " + snap +
                               " failed too: " + e2.what() + " (iocell rollback -f " + rec.uuid + "@" + snap + " retries it)");
    }
    throw std::runtime_error(what + " of " + rec.uuid + " (" + rec.tag() + ") failed: " + why +
                             "; the jail is back as it was before (snapshot " + snap + " rolled back and removed)");
  }
}

fs::path release_root(Context& ctx, const std::string& release) {
  return ctx.storage().mountpoint("releases/" + release + "/root");
}

// ZFS basejails clone base/<R>/root/<dir>, filled from the release when
// first needed; a patched release must reach them (the next start re-clones).
void refresh_bases(Context& ctx, const std::string& release) {
  sdk::Storage& storage = ctx.storage();
  const std::string base = "base/" + release + "/root";
  if (!storage.exists(base) && !storage.exists("base/" + release)) return;
  const fs::path src = release_root(ctx, release);
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(src, ec)) {
    if (!e.is_directory() || e.is_symlink()) continue;
    const std::string d = e.path().filename().string();
    if (storage.exists(base + "/" + d)) dirs.push_back(d);
  }
  for (const auto& e : fs::directory_iterator(src / "usr", ec)) {
    if (!e.is_directory() || e.is_symlink()) continue;
    const std::string d = "usr/" + e.path().filename().string();
    if (storage.exists(base + "/" + d)) dirs.push_back(d);
  }
  if (ctx.dry_run()) return;
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const std::int64_t now_ns = static_cast<std::int64_t>(now.tv_sec) * 1000000000LL + now.tv_nsec;
  for (const auto& d : dirs) {
    ctx.host().log->debug("bringing {}/{} up to date with the patched release", base, d);
    sdk::tree::sync_tree(src / d, storage.mountpoint(base + "/" + d), now_ns);
  }
}

std::string describe_rec(const JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }

}  // namespace

std::string unique_snapshot_name(Context& ctx, const JailRecord& rec, const std::string& prefix) {
  const std::string base = timestamp_snapshot_name(ctx, prefix);
  std::string name = base;
  for (int i = 2; snapshot_exists(ctx, rec, name); ++i) name = base + "_" + std::to_string(i);
  return name;
}

void update_release(Context& ctx, const std::string& release) {
  validate_property("release", release);
  const fs::path root = release_root(ctx, release);
  if (!release_exists(ctx, release)) throw NotFound("release " + release + " is not fetched (iocell list -r shows the fetched ones)");
  sdk::Updater& updater = ctx.updater(root);
  FileLock lock(ctx.locks_dir() / ("release-" + release), "release " + release);
  updater.update_release(root, release);
  refresh_bases(ctx, release);
}

UpdateOutcome update_jail(Context& ctx, const JailRecord& rec_in) {
  JailRecord rec = ctx.inventory().reload(rec_in);
  const sdk::SystemUpdates how = ctx.jail_type(rec.get("type")).system_updates();
  if (how == sdk::SystemUpdates::None)
    throw Refused(describe_rec(rec) + " is of type " + rec.get("type") + ": it holds no FreeBSD release iocell can patch");
  if (how == sdk::SystemUpdates::SharedRelease) {
    const std::string release = rec.get("release");
    update_release(ctx, release);
    return UpdateOutcome{"", release};
  }
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  sdk::Updater& updater = ctx.updater(spec.root);
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  StoppedRootMount files(ctx, rec);
  const std::string snap = unique_snapshot_name(ctx, rec, "ioc-update_");
  behind_snapshot(ctx, rec, snap, "update", [&] { updater.update(spec); });
  return UpdateOutcome{snap, ""};
}

UpdateOutcome upgrade_jail(Context& ctx, const JailRecord& rec_in, const std::string& to_in) {
  JailRecord rec = ctx.inventory().reload(rec_in);
  const sdk::SystemUpdates how = ctx.jail_type(rec.get("type")).system_updates();
  if (how == sdk::SystemUpdates::None)
    throw Refused(describe_rec(rec) + " is of type " + rec.get("type") + ": it holds no FreeBSD release iocell can upgrade");
  const std::string from = rec.get("release");
  if (ctx.os() == sdk::HostOs::Linux) ctx.updater(rec.home / "root");  // refuses, before anything changes
  const std::string to = to_in.empty() ? ctx.host_release() : to_in;
  validate_property("release", to);
  if (to == from) throw Refused(describe_rec(rec) + " is already at " + to);

  if (how == sdk::SystemUpdates::Own) {
    const sdk::JailSpec spec = ctx.inventory().spec(rec);
    sdk::Updater& updater = ctx.updater(spec.root);
    FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
    StoppedRootMount files(ctx, rec);
    const std::string snap = unique_snapshot_name(ctx, rec, "ioc-upgrade_");
    behind_snapshot(ctx, rec, snap, "upgrade to " + to, [&] {
      updater.upgrade(spec, to);
      JailRecord fresh = ctx.inventory().reload(rec);
      fresh.props["release"] = to;
      save_config(ctx, fresh);
    });
    return UpdateOutcome{snap, ""};
  }

  // A basejail runs the binaries of the release it shares: the release
  // switches, and the jail's own /etc is merged from the new sources.
  if (!release_exists(ctx, to)) throw NotFound("release " + to + " is not fetched: run iocell fetch release=" + to + " first");
  sdk::Updater& updater = ctx.updater(release_root(ctx, to));
  const bool was_up = run_state(ctx, rec).has_value();
  if (was_up) stop_jail(ctx, rec);
  std::string snap;
  try {
    FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
    StoppedRootMount files(ctx, rec);
    snap = unique_snapshot_name(ctx, rec, "ioc-upgrade_");
    behind_snapshot(ctx, rec, snap, "upgrade to " + to, [&] {
      JailRecord fresh = ctx.inventory().reload(rec);
      fresh.props["release"] = to;
      save_config(ctx, fresh);
      updater.merge_etc(ctx.inventory().spec(fresh), from, to);
    });
  } catch (...) {
    if (was_up) {
      try {
        start_jail(ctx, ctx.inventory().reload(rec));
      } catch (const std::exception& e) {
        ctx.host().log->warn("starting {} again on {} failed: {}", rec.uuid, from, e.what());
      }
    }
    throw;
  }
  if (was_up) start_jail(ctx, ctx.inventory().reload(rec));
  return UpdateOutcome{snap, ""};
}

}  // namespace iocell::core
