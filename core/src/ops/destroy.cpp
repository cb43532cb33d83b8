#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>

#include <spdlog/spdlog.h>

namespace iocell::core {

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
  const std::string origin = storage.origin(rec.dataset + "/root");
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  sdk::JailType* type = nullptr;
  try {
    type = &ctx.jail_type(rec.get("type"));
  } catch (const NotFound& e) {
    // The jail still goes; what its type made elsewhere cannot be known.
    ctx.host().log->warn("{}; destroying {} without its type's clean-up", e.what(), rec.uuid);
  }
  storage.destroy(rec.dataset);
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
  std::error_code ec;
  std::filesystem::remove(ctx.log_dir() / (rec.uuid + "-console.log"), ec);
  std::filesystem::remove(ctx.locks_dir() / rec.uuid, ec);
}

std::vector<std::string> clean_leftovers(Context& ctx) {
  std::vector<std::string> removed;
  sdk::Storage& storage = ctx.storage();
  // Creators hold these locks while they build; a leftover is one nobody holds.
  FileLock inventory(ctx.locks_dir() / "inventory", "the jail inventory");
  for (const char* parent : {"jails", "templates", "releases"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(ctx.root() / parent, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(".new-", 0) != 0 && name.rfind(".staging-", 0) != 0) continue;
      if (name.rfind(".staging-", 0) == 0) {
        const std::string rest = name.substr(9);
        const std::string release = rest.substr(0, rest.rfind('-'));
        auto busy = FileLock::try_lock(ctx.locks_dir() / ("release-" + release), "release " + release);
        if (!busy.held()) continue;
      }
      const std::string ds = std::string(parent) + "/" + name;
      storage.destroy(ds);
      removed.push_back(ds);
    }
  }
  return removed;
}

}  // namespace iocell::core
