#include <iocell/core/ops/snapshots.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

namespace {

const std::set<std::string> kDatabases = {"mysqld", "mariadbd", "postgres", "postmaster"};

bool has_snapshot(sdk::Storage& storage, const std::string& ds, const std::string& name) {
  for (const auto& s : storage.snapshots(ds))
    if (s.name == name) return true;
  return false;
}

// Linux: the processes of the jail are those in its init's pid namespace.
std::vector<std::string> linux_commands(std::int64_t init_pid) {
  std::vector<std::string> out;
  std::error_code ec;
  const auto ns = fs::read_symlink("/proc/" + std::to_string(init_pid) + "/ns/pid", ec);
  if (ec) return out;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string pid = e.path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::error_code ec2;
    if (fs::read_symlink(e.path() / "ns/pid", ec2) != ns || ec2) continue;
    std::ifstream comm(e.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) out.push_back(name);
  }
  return out;
}

// Every snapshot of the jail's datasets, listed once: the rows (one per
// name, oldest first) and which dataset holds which name.
struct SnapshotSet {
  std::vector<JailSnapshot> rows;
  std::map<std::string, std::set<std::string>> held;
};

SnapshotSet collect(Context& ctx, const std::vector<std::string>& datasets, const std::string& root) {
  sdk::Storage& storage = ctx.storage();
  SnapshotSet inv;
  std::map<std::string, JailSnapshot> rows;
  std::map<std::string, size_t> seen;  // the storage lists oldest first: ties in seconds keep its order
  for (const auto& ds : datasets) {
    for (const auto& s : storage.snapshots(ds)) {
      inv.held[ds].insert(s.name);
      seen.try_emplace(s.name, seen.size());
      auto [it, fresh] = rows.try_emplace(s.name, JailSnapshot{s.name, s.created, 0, 0});
      JailSnapshot& row = it->second;
      if (!fresh && s.created < row.created) row.created = s.created;
      row.used += s.used;
      if (ds == root || row.referenced == 0) row.referenced = s.referenced;
    }
  }
  for (auto& [n, row] : rows) inv.rows.push_back(row);
  std::sort(inv.rows.begin(), inv.rows.end(), [&seen](const auto& a, const auto& b) {
    return a.created != b.created ? a.created < b.created : seen.at(a.name) < seen.at(b.name);
  });
  return inv;
}

// Which snapshot (dataset@snap) of the jail each dependent clone uses.
std::map<std::string, std::vector<std::string>> clones_by_snapshot(Context& ctx, const JailRecord& rec) {
  sdk::Storage& storage = ctx.storage();
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& d : storage.dependents(rec.dataset)) {
    const std::string origin = storage.origin(d);
    const auto at = origin.find('@');
    if (at == std::string::npos) continue;
    const std::string src = origin.substr(0, at);
    if (src == rec.dataset || src.rfind(rec.dataset + "/", 0) == 0) out[origin.substr(at + 1)].push_back(d);
  }
  return out;
}

}  // namespace

std::string timestamp_snapshot_name(const Context& ctx, const std::string& prefix) { return prefix + ctx.local_time("%F_%T"); }

void validate_snapshot_name(const std::string& name) {
  const std::string allowed = "1 to 200 letters, digits, '_', '.', ':' or '-', not starting with '.' or '-'";
  if (name == "ALL") throw UsageError("ALL is reserved (snapremove TARGET@ALL removes every snapshot); choose another snapshot name");
  if (name.empty() || name.size() > 200 || name[0] == '.' || name[0] == '-')
    throw UsageError("invalid snapshot name '" + name + "': allowed: " + allowed);
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '-'))
      throw UsageError("invalid snapshot name '" + name + "': allowed: " + allowed);
  }
}

std::vector<std::string> jail_datasets(Context& ctx, const JailRecord& rec) {
  sdk::Storage& storage = ctx.storage();
  std::vector<std::string> out;
  for (const auto rel : kJailDatasetNames) {
    const std::string ds = rel.empty() ? rec.dataset : rec.dataset + "/" + std::string(rel);
    if (storage.exists(ds)) out.push_back(ds);
  }
  return out;
}

std::vector<std::string> database_processes(Context& ctx, const JailRecord& rec) {
  auto state = run_state(ctx, rec);
  if (!state) return {};
  std::vector<std::string> commands;
  if (ctx.os() == sdk::HostOs::FreeBSD) {
    // The host's ps, selecting the jail's processes by jid: a ps inside the
    // jail could be anything the jail's root user put there.
    auto res = ctx.runner().check(sdk::Command({"ps", "-ax", "-J", std::to_string(state->jid), "-o", "comm="}));
    std::istringstream lines(res.out);
    std::string line;
    while (std::getline(lines, line)) {
      line.erase(0, line.find_first_not_of(" \t"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty()) commands.push_back(line);
    }
  } else {
    commands = linux_commands(state->jid);
  }
  std::vector<std::string> found;
  for (const auto& c : commands)
    if (kDatabases.count(c) && std::find(found.begin(), found.end(), c) == found.end()) found.push_back(c);
  return found;
}

void snapshot_jail(Context& ctx, const JailRecord& rec, const std::string& name, bool force) {
  validate_snapshot_name(name);
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  if (!force) {
    auto dbs = database_processes(ctx, rec);
    if (!dbs.empty()) {
      std::string names;
      for (const auto& d : dbs) names += (names.empty() ? "" : ", ") + d;
      throw Refused("a database is running in " + rec.uuid + " (" + rec.tag() + "): " + names +
                    "; a snapshot may miss what it holds in memory. Stop or flush it, or use snapshot -f");
    }
  }
  sdk::Storage& storage = ctx.storage();
  for (const auto& ds : jail_datasets(ctx, rec))
    if (has_snapshot(storage, ds, name)) throw Refused("snapshot " + name + " of " + rec.uuid + " (" + rec.tag() + ") already exists");
  storage.snapshot(rec.dataset, name, true);
}

std::vector<JailSnapshot> list_jail_snapshots(Context& ctx, const JailRecord& rec) {
  return collect(ctx, jail_datasets(ctx, rec), rec.dataset + "/root").rows;
}

std::vector<std::string> remove_jail_snapshot(Context& ctx, const JailRecord& rec, const std::string& name) {
  if (name != "ALL") validate_snapshot_name(name);
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  sdk::Storage& storage = ctx.storage();
  const auto datasets = jail_datasets(ctx, rec);
  auto inv = collect(ctx, datasets, rec.dataset + "/root");
  const auto in_use = clones_by_snapshot(ctx, rec);
  std::vector<std::string> names;
  if (name == "ALL") {
    for (const auto& s : inv.rows) names.push_back(s.name);
  } else {
    bool found = false;
    for (const auto& [ds, held] : inv.held) found = found || held.count(name);
    if (!found) throw NotFound("snapshot " + name + " of " + rec.uuid + " (" + rec.tag() + ") not found (iocell snaplist shows them)");
    if (auto it = in_use.find(name); it != in_use.end())
      throw Refused("snapshot " + name + " of " + rec.uuid + " is the origin of " + describe_datasets(ctx, it->second) +
                    " (destroy or promote those clones first)");
    names.push_back(name);
  }
  std::vector<std::string> removed, kept;
  for (const auto& n : names) {
    if (auto it = in_use.find(n); it != in_use.end()) {
      kept.push_back(n + " (origin of " + describe_datasets(ctx, it->second) + ")");
      continue;
    }
    // Recursively from the highest dataset holding it: one call covers
    // the datasets below; a snapshot only the root has (taken of the root
    // alone) is found there.
    for (const auto& ds : datasets) {
      if (!inv.held[ds].count(n)) continue;
      storage.destroy_snapshot(ds, n, true);
      for (auto& [d, held] : inv.held)
        if (d == ds || d.rfind(ds + "/", 0) == 0) held.erase(n);
    }
    removed.push_back(n);
  }
  if (!kept.empty()) {
    std::string list;
    for (const auto& k : kept) list += "\n  " + k;
    throw Refused("removed " + std::to_string(removed.size()) + " snapshot(s) of " + rec.uuid + "; kept those clones depend on:" + list);
  }
  return removed;
}

void rollback_jail(Context& ctx, const JailRecord& rec, const std::string& name, bool force) {
  validate_snapshot_name(name);
  sdk::Storage& storage = ctx.storage();
  std::vector<std::string> targets;
  for (const auto& ds : jail_datasets(ctx, rec))
    if (has_snapshot(storage, ds, name)) targets.push_back(ds);
  if (targets.empty()) throw NotFound("snapshot " + name + " of " + rec.uuid + " (" + rec.tag() + ") not found (iocell snaplist shows them)");
  const bool was_up = run_state(ctx, rec).has_value();
  if (was_up && !force)
    throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is running; stop it first, or use rollback -f to stop it, roll back and start it again");
  if (was_up) stop_jail(ctx, rec);
  {
    FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
    // The root's files only make sense with the home's config of the same
    // moment, and the other way round: every dataset, root included.
    for (const auto& ds : targets) storage.rollback(ds, name);
  }
  if (was_up) start_jail(ctx, ctx.inventory().reload(rec));
}

std::vector<std::string> promote_jail(Context& ctx, const JailRecord& rec) {
  if (ctx.jail_type(rec.get("type")).promote_meaning() == sdk::PromoteMeaning::Refused)
    throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is of type " + rec.get("type") +
                  ": its clone relation is part of the type, promote does not apply");
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  sdk::Storage& storage = ctx.storage();
  std::vector<std::string> lines;
  bool any = false;
  for (const auto& ds : jail_datasets(ctx, rec)) {
    const std::string origin = storage.origin(ds);
    if (origin.empty() || origin == "-") continue;
    storage.promote(ds);
    any = true;
    lines.push_back("promoted " + ds + " (it was a clone of " + origin + ")");
    // Backends whose promote makes an independent copy leave the origin
    // snapshot behind; it goes when nothing else uses it. (After a zfs
    // promote the snapshot belongs to the promoted dataset instead.)
    const auto at = origin.find('@');
    const std::string src = origin.substr(0, at), snap = origin.substr(at + 1);
    if (snap == rec.uuid && storage.exists(src) && has_snapshot(storage, src, snap)) {
      bool used = false;
      for (const auto& d : storage.dependents(src)) used = used || storage.origin(d) == origin;
      if (!used) storage.destroy_snapshot(src, snap, false);
    }
  }
  if (!any) throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is not a clone: there is nothing to promote");
  return lines;
}

}  // namespace iocell::core
