// Snapshots, rollback, clones and copies of the btrfs backend.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/temp_names.hpp>

#include "btrfs_storage.hpp"

namespace iocell::plugins::btrfs {

namespace fs = std::filesystem;
namespace rec = sdk::records;

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<BtrfsStorage::Snap> BtrfsStorage::list_snaps(const std::string& ds) const {
  std::vector<Snap> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(snap_dir(ds), ec)) {
    const std::string n = e.path().filename().string();
    if (n.empty() || n[0] == '.' || !is_subvolume(e.path())) continue;
    out.push_back({n, subvol_info(e.path()).otime_ns});
  }
  std::sort(out.begin(), out.end(), [](const Snap& a, const Snap& b) {
    return a.otime_ns != b.otime_ns ? a.otime_ns < b.otime_ns : a.name < b.name;
  });
  return out;
}

std::uint64_t BtrfsStorage::snapshot_bytes(const std::string& ds, const std::string& snap, bool exclusive) {
  const fs::path p = snap_path(ds, snap);
  if (exclusive) {
    auto q = m_qgroups.show(p, subvol_info(p).id);
    return q ? q->exclusive : 0;
  }
  // Without quota groups only a walk can tell; a snapshot never changes,
  // so the figure is kept beside it.
  const fs::path cache = snap_dir(ds) / ("." + snap + ".du");
  std::uint64_t bytes = 0;
  if (std::ifstream in(cache); in >> bytes) return bytes;
  bytes = sdk::tree::disk_usage(p);
  if (!m_host.dry_run) rec::write_atomic(cache, std::to_string(bytes) + "\n");
  return bytes;
}

void BtrfsStorage::snapshot(const std::string& dataset, const std::string& snap, bool recursive) {
  rec::validate_dataset(dataset);
  rec::validate_snapshot(snap);
  require(dataset);
  auto list = recursive ? children(dataset) : std::vector<std::string>{};
  list.insert(list.begin(), dataset);
  for (const auto& ds : list) {
    if (fs::exists(fs::symlink_status(snap_path(ds, snap)))) throw std::runtime_error("snapshot " + ds + "@" + snap + " already exists");
    if (!is_subvolume(m_root / ds) && !m_host.dry_run)
      throw std::runtime_error("cannot snapshot " + ds + ": " + (m_root / ds).string() + " is a plain directory, not a subvolume");
  }
  for (const auto& ds : list) {
    if (!m_host.dry_run) {
      std::error_code ec;
      fs::create_directories(snap_dir(ds), ec);
      if (ec) throw std::runtime_error("cannot create " + snap_dir(ds).string() + ": " + ec.message());
    }
    m_subvols.snapshot(m_root / ds, snap_path(ds, snap), true);
  }
}

std::vector<sdk::SnapshotInfo> BtrfsStorage::snapshots(const std::string& dataset) {
  rec::validate_dataset(dataset);
  const bool quotas = !m_host.dry_run && m_qgroups.enabled(m_root);
  std::vector<sdk::SnapshotInfo> out;
  for (const auto& s : list_snaps(dataset)) {
    sdk::SnapshotInfo info;
    info.name = s.name;
    info.created = s.otime_ns / 1000000000LL;
    const fs::path p = snap_path(dataset, s.name);
    if (quotas) {
      auto q = m_qgroups.show(p, subvol_info(p).id);
      if (q) {
        info.referenced = q->referenced;
        info.used = q->exclusive;
      }
    } else {
      info.referenced = info.used = snapshot_bytes(dataset, s.name, false);
    }
    out.push_back(info);
  }
  return out;
}

void BtrfsStorage::remove_snapshot(const std::string& ds, const std::string& snap) {
  m_subvols.remove(snap_path(ds, snap));
  std::error_code ec;
  fs::remove(snap_dir(ds) / ("." + snap + ".du"), ec);
  m_deleted = true;
}

void BtrfsStorage::destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) {
  rec::validate_dataset(dataset);
  rec::validate_snapshot(snap);
  auto list = recursive ? children(dataset) : std::vector<std::string>{};
  list.insert(list.begin(), dataset);
  std::vector<std::string> targets;
  for (const auto& ds : list) {
    if (!is_subvolume(snap_path(ds, snap))) continue;
    std::vector<std::string> clones;
    for (const auto& c : m_records.clones_of(ds, snap, false))
      if (exists(c)) clones.push_back(c);
    if (!clones.empty()) throw std::runtime_error("cannot destroy snapshot " + ds + "@" + snap + ": clones depend on it: " + join(clones));
    targets.push_back(ds);
  }
  if (targets.empty()) throw std::runtime_error("snapshot " + dataset + "@" + snap + " does not exist");
  for (const auto& ds : targets) remove_snapshot(ds, snap);
}

void BtrfsStorage::rollback(const std::string& dataset, const std::string& snap) {
  rec::validate_dataset(dataset);
  rec::validate_snapshot(snap);
  require(dataset);
  const fs::path source = snap_path(dataset, snap);
  if (!is_subvolume(source)) throw std::runtime_error("snapshot " + dataset + "@" + snap + " does not exist");
  const std::int64_t when = subvol_info(source).otime_ns;
  std::vector<std::string> later;
  for (const auto& s : list_snaps(dataset)) {
    if (s.name == snap || s.otime_ns < when) continue;
    std::vector<std::string> clones;
    for (const auto& c : m_records.clones_of(dataset, s.name, false))
      if (exists(c)) clones.push_back(c);
    if (!clones.empty())
      throw std::runtime_error("cannot roll back " + dataset + " to @" + snap + ": the later snapshot @" + s.name +
                               " has clones (" + join(clones) + ")");
    later.push_back(s.name);
  }
  if (dry("roll back " + dataset + " to @" + snap)) return;
  settle_rollbacks_of(dataset);

  // btrfs cannot roll a subvolume back in place: a writable snapshot of the
  // snapshot takes its place, and the child datasets move across to it.
  // Killed at any step, the dataset's name still holds a whole subvolume and
  // the temporary name says where the children went: settle_rollback puts
  // them back where the dataset is, whichever of the two that is by then.
  const fs::path current = m_root / dataset;
  const fs::path fresh = current.parent_path() / sdk::temp_names::make(sdk::temp_names::kRollback, current.filename().string());
  std::optional<QgroupUsage> limits;
  if (m_qgroups.enabled(m_root)) limits = m_qgroups.show(current, subvol_info(current).id);
  const bool readonly = subvol_info(current).readonly;
  m_subvols.snapshot(source, fresh, false);
  try {
    for (const auto& child : direct_children(dataset)) {
      const std::string rel = child.substr(dataset.size() + 1);
      const fs::path slot = fresh / rel;
      ::rmdir(slot.c_str());  // the empty stand-in the snapshot holds for it
      fs::create_directories(slot.parent_path());
      if (::rename((current / rel).c_str(), slot.c_str()) != 0)
        throw std::runtime_error("cannot move child dataset " + child + " during rollback: " + std::strerror(errno));
    }
    if (::renameat2(AT_FDCWD, current.c_str(), AT_FDCWD, fresh.c_str(), RENAME_EXCHANGE) != 0)
      throw std::runtime_error("cannot put the rolled-back " + dataset + " in place: " + std::strerror(errno));
  } catch (...) {
    settle_rollback(fresh);
    throw;
  }
  const fs::path& old = fresh;
  m_subvols.remove(old);
  m_deleted = true;
  if (readonly) m_subvols.set_readonly(current, true);
  if (limits && (limits->max_exclusive || limits->max_referenced)) {
    const std::uint64_t id = subvol_info(current).id;
    if (limits->max_exclusive) m_qgroups.limit(m_root, id, true, limits->max_exclusive);
    if (limits->max_referenced) m_qgroups.limit(m_root, id, false, limits->max_referenced);
  }
  for (const auto& s : later) remove_snapshot(dataset, s);
}

// A writable (or read-only) snapshot of `source` as the new dataset
// `target`, recorded with its origin; nothing is left behind on failure.
void BtrfsStorage::snapshot_as(const fs::path& source, const std::string& target, const sdk::DatasetOptions& opts,
                               const std::string& origin) {
  const fs::path path = m_root / target;
  if (fs::exists(fs::symlink_status(path))) throw std::runtime_error("cannot clone into " + target + ": it exists");
  if (m_host.dry_run) {
    m_subvols.snapshot(source, path, opts.readonly);
    m_dry_made.made(target);
    return;
  }
  make_parents(target);
  m_subvols.snapshot(source, path, opts.readonly);
  try {
    record_new(target, opts, origin);
  } catch (...) {
    m_subvols.remove(path);
    m_records.remove(target);
    throw;
  }
}

void BtrfsStorage::clone(const std::string& dataset, const std::string& snap, const std::string& target,
                         const sdk::DatasetOptions& opts) {
  rec::validate_dataset(dataset);
  rec::validate_snapshot(snap);
  rec::validate_dataset(target);
  check_properties(target, opts.properties);
  const fs::path source = snap_path(dataset, snap);
  if (!m_host.dry_run && !is_subvolume(source)) throw std::runtime_error("snapshot " + dataset + "@" + snap + " does not exist");
  snapshot_as(source, target, opts, dataset + "@" + snap);
}

// One snapshot ioctl, one transaction commit. The origin names the source
// with no snapshot: dependents() still finds the clone (template=no and
// destroy of the source are refused while it exists), and destroying the
// clone has no origin snapshot to clean up.
bool BtrfsStorage::clone_current(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) {
  rec::validate_dataset(dataset);
  rec::validate_dataset(target);
  require(dataset);
  check_properties(target, opts.properties);
  snapshot_as(m_root / dataset, target, opts, dataset + "@");
  return true;
}

void BtrfsStorage::copy(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) {
  rec::validate_dataset(dataset);
  rec::validate_dataset(target);
  require(dataset);
  check_properties(target, opts.properties);
  const fs::path path = m_root / target;
  if (fs::exists(fs::symlink_status(path))) throw std::runtime_error("cannot copy into " + target + ": it exists");
  if (dry("copy " + dataset + " to " + target + " (new subvolume, reflinked files)")) return;
  make_parents(target);
  // Built under a temporary name: a half copy is never visible as the target.
  const fs::path tmp = path.parent_path() / sdk::temp_names::make(sdk::temp_names::kCopy, path.filename().string());
  m_subvols.create(tmp);
  try {
    const auto rels = child_rels(dataset);
    sdk::tree::CopyOptions copts;
    copts.exclude = [&rels](const std::string& rel) { return rels.count(rel) != 0; };
    sdk::tree::copy_contents(m_root / dataset, tmp, copts);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  } catch (...) {
    m_subvols.remove(tmp);
    throw;
  }
  try {
    record_new(target, opts, "");
    if (opts.readonly) m_subvols.set_readonly(path, true);
  } catch (...) {
    m_subvols.remove(path);
    m_records.remove(target);
    throw;
  }
}

void BtrfsStorage::promote(const std::string& dataset) {
  rec::validate_dataset(dataset);
  require(dataset);
  auto r = m_records.load(dataset);
  if (!r || r->origin.empty()) throw std::runtime_error(dataset + " is not a clone; there is nothing to promote");
  if (dry("promote " + dataset)) return;
  const std::string was = r->origin;
  r->origin.clear();
  r->clone_kind.clear();
  m_records.save(dataset, *r);
  info("promoted " + dataset + ": btrfs clones share no dependency with their origin; " + was +
       " may now be destroyed without it");
}

}  // namespace iocell::plugins::btrfs
