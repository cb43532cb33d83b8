#include "dir_storage.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/temp_names.hpp>

#include "dir_overlay.hpp"

namespace iocell::plugins::dir {

namespace fs = std::filesystem;
namespace tn = sdk::temp_names;

namespace {

bool is_real_dir(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool under(const std::string& ds, const std::string& parent) {
  return ds == parent || (ds.size() > parent.size() && ds.compare(0, parent.size(), parent) == 0 && ds[parent.size()] == '/');
}

std::string parent_of(const std::string& ds) {
  size_t slash = ds.rfind('/');
  return slash == std::string::npos ? std::string() : ds.substr(0, slash);
}

std::pair<std::string, std::string> split_origin(const std::string& origin) {
  size_t at = origin.find('@');
  if (at == std::string::npos) return {origin, ""};
  return {origin.substr(0, at), origin.substr(at + 1)};
}

/// A timestamp no later than the ctime the kernel gives any change made
/// from now on: file times come from the coarse clock on Linux.
std::int64_t change_floor_ns() {
  struct timespec ts {};
#ifdef __linux__
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
#else
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return (static_cast<std::int64_t>(ts.tv_sec) - 1) * 1000000000LL + ts.tv_nsec;
#endif
}

void make_private_dir(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) throw std::runtime_error("cannot create " + p.string() + ": " + ec.message());
}

bool is_quota_prop(const std::string& p) {
  return p == "quota" || p == "refquota" || p == "reservation" || p == "refreservation";
}

}  // namespace

DirStorage::DirStorage(const sdk::HostContext& host)
    : m_host(host), m_root(host.root), m_meta(host.root), m_overlay(overlay_supported()) {}

bool DirStorage::dry(const std::string& what) const {
  if (!m_host.dry_run) return false;
  m_host.would(what);
  return true;
}

void DirStorage::info(const std::string& line) const {
  if (m_host.progress) m_host.progress->info(line);
  else if (m_host.log) m_host.log->info("{}", line);
}

void DirStorage::initialize() {
  if (m_host.dry_run) return;
  make_private_dir(m_root);
  for (const char* d : {".datasets", ".snapshots", ".overlay"}) {
    make_private_dir(m_root / d);
    ::chmod((m_root / d).c_str(), 0700);
  }
}

fs::path DirStorage::mountpoint(const std::string& dataset) const {
  validate_dataset(dataset);
  return m_root / dataset;
}

bool DirStorage::exists(const std::string& dataset) {
  validate_dataset(dataset);
  return is_real_dir(m_root / dataset) || m_dry_made.has(dataset);
}

void DirStorage::require(const std::string& dataset) {
  if (!exists(dataset)) throw std::runtime_error("dataset " + dataset + " does not exist (no directory " + (m_root / dataset).string() + ")");
}

std::vector<std::string> DirStorage::children(const std::string& dataset) const {
  std::vector<std::string> out;
  for (const auto& ds : m_meta.all())
    if (ds != dataset && under(ds, dataset) && is_real_dir(m_root / ds)) out.push_back(ds);
  return out;
}

std::set<std::string> DirStorage::child_rels(const std::string& dataset) const {
  std::set<std::string> rels;
  for (const auto& c : children(dataset)) rels.insert(c.substr(dataset.size() + 1));
  return rels;
}

void DirStorage::make_parents(const std::string& dataset) {
  std::string parent = parent_of(dataset);
  std::vector<std::string> missing;
  for (std::string p = parent; !p.empty(); p = parent_of(p)) {
    if (is_real_dir(m_root / p) && m_meta.load(p)) break;
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const fs::path dir = m_root / *it;
    if (!is_real_dir(dir) && ::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    if (!m_meta.load(*it)) m_meta.save(*it, DatasetMeta{});
  }
}

void DirStorage::check_properties(const std::string& dataset, const std::map<std::string, std::string>& props) const {
  for (const auto& [prop, value] : props) {
    if (prop.find(':') != std::string::npos) continue;
    if (is_quota_prop(prop)) {
      if (value != "none" && value != "0")
        throw std::runtime_error("dir storage cannot enforce " + prop + " (asked " + prop + "=" + value + " for " + dataset +
                                 "); use btrfs or zfs, or " + prop + "=none");
    } else if (prop == "compression" || prop == "dedup") {
      if (value != "off")
        throw std::runtime_error("dir storage cannot provide " + prop + "=" + value + " for " + dataset + "; use btrfs or zfs, or " +
                                 prop + "=off");
    } else if (prop == "readonly") {
      if (value != "on" && value != "off")
        throw std::runtime_error("readonly must be on or off, not '" + value + "' (dataset " + dataset + ")");
    } else {
      throw std::runtime_error("dir storage has no property '" + prop + "' (dataset " + dataset +
                               "); it knows readonly, quota, refquota, reservation, refreservation, compression, dedup "
                               "and user properties (names with ':')");
    }
  }
}

void DirStorage::apply_options(const std::string& dataset, const sdk::DatasetOptions& opts, DatasetMeta meta) {
  meta.readonly = meta.readonly || opts.readonly;
  for (const auto& [prop, value] : opts.properties) {
    if (prop.find(':') != std::string::npos) meta.user[prop] = value;
    else if (prop == "readonly") meta.readonly = value == "on";
  }
  m_meta.save(dataset, meta);
}

void DirStorage::create(const std::string& dataset, const sdk::DatasetOptions& opts) {
  validate_dataset(dataset);
  check_properties(dataset, opts.properties);
  if (dry("create " + (m_root / dataset).string())) {
    m_dry_made.made(dataset);
    return;
  }
  make_parents(dataset);
  const fs::path dir = m_root / dataset;
  if (::mkdir(dir.c_str(), 0755) != 0 && !(errno == EEXIST && is_real_dir(dir)))
    throw std::runtime_error("cannot create dataset " + dataset + " at " + dir.string() + ": " + std::strerror(errno));
  apply_options(dataset, opts, m_meta.load(dataset).value_or(DatasetMeta{}));
}

std::vector<std::string> DirStorage::clones_of(const std::string& dataset, const std::string& snap) const {
  std::vector<std::string> out;
  for (const auto& ds : m_meta.all()) {
    auto m = m_meta.load(ds);
    if (!m || m->origin.empty() || !is_real_dir(m_root / ds)) continue;
    auto [src, s] = split_origin(m->origin);
    if (src == dataset && (snap.empty() || s == snap)) out.push_back(ds);
  }
  return out;
}

std::vector<std::string> DirStorage::dependents(const std::string& dataset) {
  validate_dataset(dataset);
  std::vector<std::string> out;
  for (const auto& ds : m_meta.all()) {
    auto m = m_meta.load(ds);
    if (!m || m->origin.empty() || !is_real_dir(m_root / ds)) continue;
    if (under(split_origin(m->origin).first, dataset)) out.push_back(ds);
  }
  return out;
}

std::string DirStorage::origin(const std::string& dataset) {
  validate_dataset(dataset);
  auto m = m_meta.load(dataset);
  return m ? m->origin : std::string();
}

bool DirStorage::overlay_mounted(const std::string& dataset) const {
  return sdk::tree::is_mount_point(m_root / dataset);
}

bool DirStorage::ensure_mounted(const std::string& dataset) {
  auto m = m_meta.load(dataset);
  if (!m || m->clone != CloneKind::Overlay || overlay_mounted(dataset)) return false;
  auto [src, snap] = split_origin(m->origin);
  const fs::path lower = m_meta.snapshot_data(src, snap);
  if (!is_real_dir(lower))
    throw std::runtime_error("cannot mount " + dataset + ": its origin snapshot " + m->origin + " is missing (" + lower.string() + ")");
  const fs::path ov = m_meta.overlay_dir(dataset);
  mount_overlay(lower, ov / "upper", ov / "work", m_root / dataset, m->readonly);
  m_transient.insert(dataset);
  return true;
}

void DirStorage::release(const std::string& dataset) noexcept {
  if (!m_transient.erase(dataset)) return;
  try {
    unmount_path(m_root / dataset);
  } catch (const std::exception& e) {
    if (m_host.log) m_host.log->warn("{}", e.what());
  }
}

/// What an operation mounted to read or write a clone, unmounted when the
/// operation ends (unless the core had asked to keep it mounted meanwhile).
class DirStorage::MountedForOperation {
 public:
  MountedForOperation(DirStorage& store, std::string dataset) : m_store(store), m_dataset(std::move(dataset)) {
    m_mounted = m_store.ensure_mounted(m_dataset);
  }
  ~MountedForOperation() {
    if (m_mounted) m_store.release(m_dataset);
  }
  MountedForOperation(const MountedForOperation&) = delete;
  MountedForOperation& operator=(const MountedForOperation&) = delete;

 private:
  DirStorage& m_store;
  std::string m_dataset;
  bool m_mounted = false;
};

DirStorage::~DirStorage() {
  // Deepest first: a child's overlay sits inside its parent's.
  // (A copy of the name: release() erases the element.)
  while (!m_transient.empty()) release(std::string(*m_transient.rbegin()));
}

void DirStorage::mount(const std::string& dataset) {
  require(dataset);
  if (dry("mount " + dataset)) return;
  ensure_mounted(dataset);
  m_transient.erase(dataset);
  for (const auto& c : children(dataset)) {
    ensure_mounted(c);
    m_transient.erase(c);
  }
}

void DirStorage::unmount(const std::string& dataset) {
  validate_dataset(dataset);
  if (dry("unmount " + dataset)) return;
  auto list = children(dataset);
  list.insert(list.begin(), dataset);
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    auto m = m_meta.load(*it);
    if (m && m->clone == CloneKind::Overlay) unmount_path(m_root / *it);
    m_transient.erase(*it);
  }
}

bool DirStorage::mounted(const std::string& dataset) {
  validate_dataset(dataset);
  auto all = children(dataset);
  all.insert(all.begin(), dataset);
  for (const auto& ds : all) {
    auto m = m_meta.load(ds);
    if (m && m->clone == CloneKind::Overlay && !overlay_mounted(ds)) return false;
  }
  return true;
}

void DirStorage::destroy(const std::string& dataset) {
  validate_dataset(dataset);
  if (!exists(dataset) && !m_meta.load(dataset)) throw std::runtime_error("dataset " + dataset + " does not exist");
  std::vector<std::string> outside;
  for (const auto& d : dependents(dataset))
    if (!under(d, dataset)) outside.push_back(d);
  if (!outside.empty()) {
    std::string names;
    for (const auto& d : outside) names += (names.empty() ? "" : ", ") + d;
    throw std::runtime_error("cannot destroy " + dataset + ": clones depend on its snapshots: " + names +
                             " (destroy or promote them first)");
  }
  if (dry("destroy " + (m_root / dataset).string())) return;
  unmount(dataset);
  auto all = children(dataset);
  all.insert(all.begin(), dataset);
  // Data first, records last: an interrupted destroy leaves a record
  // without data (ignored everywhere), never data without its record.
  sdk::tree::remove_tree(m_root / dataset);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    sdk::tree::remove_tree(m_meta.overlay_dir(*it));
    sdk::tree::remove_tree(m_meta.snapshots_dir(*it));
  }
  // Records of datasets whose directories were already gone.
  for (const auto& ds : m_meta.all())
    if (under(ds, dataset)) m_meta.remove(ds);
}

void DirStorage::rename(const std::string& from, const std::string& to) {
  validate_dataset(from);
  validate_dataset(to);
  require(from);
  if (under(to, from)) throw std::runtime_error("cannot rename " + from + " to " + to + ": the target is inside the source");
  if (fs::exists(fs::symlink_status(m_root / to))) throw std::runtime_error("cannot rename " + from + " to " + to + ": " + to + " exists");
  if (dry("rename " + from + " to " + to)) return;
  std::vector<std::string> moved = children(from);
  moved.insert(moved.begin(), from);
  std::vector<std::string> remount;
  std::set<std::string> remount_transient;
  for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
    auto m = m_meta.load(*it);
    if (m && m->clone == CloneKind::Overlay && overlay_mounted(*it)) {
      unmount_path(m_root / *it);
      remount.push_back(to + it->substr(from.size()));
      if (m_transient.erase(*it)) remount_transient.insert(remount.back());
    }
  }
  make_parents(to);
  // What the directory needs under its new name is there before the rename
  // that publishes it: a kill before leaves an unpublished source and
  // records without a directory (clean_leftovers), never a dataset under
  // the new name that lacks its overlay.
  const auto renamed = [&](const std::string& ds) { return to + ds.substr(from.size()); };
  for (const auto& ds : moved) {
    const std::string nds = renamed(ds);
    for (auto [a, b] : {std::pair{m_meta.snapshots_dir(ds), m_meta.snapshots_dir(nds)},
                        std::pair{m_meta.overlay_dir(ds), m_meta.overlay_dir(nds)}}) {
      if (is_real_dir(a) && ::rename(a.c_str(), b.c_str()) != 0)
        throw std::runtime_error("cannot move " + a.string() + " to " + b.string() + ": " + std::strerror(errno));
    }
    m_meta.save(nds, m_meta.load(ds).value_or(DatasetMeta{}));
  }
  if (::rename((m_root / from).c_str(), (m_root / to).c_str()) != 0)
    throw std::runtime_error("cannot rename " + (m_root / from).string() + " to " + (m_root / to).string() + ": " + std::strerror(errno));
  for (const auto& ds : moved) m_meta.remove(ds);
  // Clones anywhere keep pointing at the renamed snapshots, as in ZFS.
  for (const auto& ds : m_meta.all()) {
    auto m = m_meta.load(ds);
    if (!m || m->origin.empty()) continue;
    auto [src, snap] = split_origin(m->origin);
    if (under(src, from)) {
      m->origin = renamed(src) + "@" + snap;
      m_meta.save(ds, *m);
    }
  }
  for (auto it = remount.rbegin(); it != remount.rend(); ++it) {
    ensure_mounted(*it);
    if (!remount_transient.count(*it)) m_transient.erase(*it);
  }
}

fs::path DirStorage::stage_snapshot(const std::string& dataset, const std::string& snap, const std::vector<std::string>& set) {
  MountedForOperation files(*this, dataset);
  const fs::path dir = m_meta.snapshots_dir(dataset);
  make_private_dir(dir);
  const fs::path tmp = dir / tn::make(tn::kSnap, snap);
  make_private_dir(tmp);
  try {
    SnapMeta meta;
    meta.created_ns = change_floor_ns();
    if (set.size() > 1) {
      const auto rel = [&set](const std::string& ds) { return ds == set.front() ? std::string(".") : ds.substr(set.front().size() + 1); };
      meta.set.push_back(rel(dataset));
      for (const auto& ds : set) meta.set.push_back(rel(ds));
    }
    const auto rels = child_rels(dataset);
    sdk::tree::CopyOptions opts;
    opts.exclude = [&rels](const std::string& rel) { return rels.count(rel) != 0; };
    sdk::tree::copy_tree(m_root / dataset, tmp / "data", opts);
    meta.referenced = sdk::tree::disk_usage(tmp / "data");
    MetaStore::save_snapshot(tmp, meta);
  } catch (...) {
    sdk::tree::remove_tree(tmp);
    throw;
  }
  return tmp;
}

bool DirStorage::complete(const std::string& dataset, const std::string& snap) const {
  auto meta = m_meta.load_snapshot(dataset, snap);
  if (!meta) return false;
  if (meta->set.empty()) return true;
  const std::string& own = meta->set.front();
  if (own != "." && (dataset.size() <= own.size() || dataset.compare(dataset.size() - own.size() - 1, std::string::npos, "/" + own) != 0))
    return false;
  const std::string top = own == "." ? dataset : dataset.substr(0, dataset.size() - own.size() - 1);
  for (size_t i = 1; i < meta->set.size(); ++i)
    if (!m_meta.load_snapshot(meta->set[i] == "." ? top : top + "/" + meta->set[i], snap)) return false;
  return true;
}

void DirStorage::snapshot(const std::string& dataset, const std::string& snap, bool recursive) {
  validate_dataset(dataset);
  validate_snapshot(snap);
  require(dataset);
  auto list = recursive ? children(dataset) : std::vector<std::string>{};
  list.insert(list.begin(), dataset);
  for (const auto& ds : list) {
    // A part of a set a kill interrupted is nobody's snapshot: it makes way.
    if (is_real_dir(m_meta.snapshot_dir(ds, snap)) && !complete(ds, snap) && !m_host.dry_run) remove_snapshot_dir(ds, snap);
    if (is_real_dir(m_meta.snapshot_dir(ds, snap))) throw std::runtime_error("snapshot " + ds + "@" + snap + " already exists");
  }
  if (dry("snapshot " + dataset + "@" + snap + (recursive ? " and its children" : ""))) {
    m_dry_made.snapshot_made(dataset, snap);
    return;
  }
  // Every copy first, under temporary names; then the renames that publish
  // them, which the set recorded in each copy ties together.
  std::vector<fs::path> staged;
  try {
    for (const auto& ds : list) staged.push_back(stage_snapshot(ds, snap, list));
    for (size_t i = 0; i < list.size(); ++i)
      if (::rename(staged[i].c_str(), m_meta.snapshot_dir(list[i], snap).c_str()) != 0)
        throw std::runtime_error("cannot create snapshot " + list[i] + "@" + snap + ": " + std::strerror(errno));
  } catch (...) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (i < staged.size()) sdk::tree::remove_tree(staged[i]);
      if (is_real_dir(m_meta.snapshot_dir(list[i], snap)) && !complete(list[i], snap)) remove_snapshot_dir(list[i], snap);
    }
    throw;
  }
}

std::vector<sdk::SnapshotInfo> DirStorage::snapshots(const std::string& dataset) {
  validate_dataset(dataset);
  std::vector<std::pair<std::int64_t, sdk::SnapshotInfo>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_meta.snapshots_dir(dataset), ec)) {
    const std::string n = e.path().filename().string();
    if (n.empty() || n[0] == '.') continue;
    auto meta = m_meta.load_snapshot(dataset, n);
    if (!meta || !complete(dataset, n)) continue;
    sdk::SnapshotInfo info;
    info.name = n;
    info.created = meta->created_ns / 1000000000LL;
    info.referenced = meta->referenced;
    info.used = meta->referenced;
    found.emplace_back(meta->created_ns, info);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.name < b.second.name;
  });
  std::vector<sdk::SnapshotInfo> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

void DirStorage::remove_snapshot_dir(const std::string& dataset, const std::string& snap) {
  const fs::path dir = m_meta.snapshot_dir(dataset, snap);
  // Out of sight first, so that a half-removed copy is never listed.
  const fs::path gone = m_meta.snapshots_dir(dataset) / tn::make(tn::kGone, snap);
  if (::rename(dir.c_str(), gone.c_str()) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error("cannot destroy snapshot " + dataset + "@" + snap + ": " + std::strerror(errno));
  }
  sdk::tree::remove_tree(gone);
}

void DirStorage::destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) {
  validate_dataset(dataset);
  validate_snapshot(snap);
  auto list = recursive ? children(dataset) : std::vector<std::string>{};
  list.insert(list.begin(), dataset);
  std::vector<std::string> targets;
  for (const auto& ds : list) {
    if (!is_real_dir(m_meta.snapshot_dir(ds, snap))) continue;
    auto clones = clones_of(ds, snap);
    if (!clones.empty()) {
      std::string names;
      for (const auto& c : clones) names += (names.empty() ? "" : ", ") + c;
      throw std::runtime_error("cannot destroy snapshot " + ds + "@" + snap + ": clones depend on it: " + names);
    }
    targets.push_back(ds);
  }
  if (targets.empty()) throw std::runtime_error("snapshot " + dataset + "@" + snap + " does not exist");
  if (dry("destroy snapshot " + dataset + "@" + snap)) return;
  for (const auto& ds : targets) remove_snapshot_dir(ds, snap);
}

void DirStorage::rollback(const std::string& dataset, const std::string& snap) {
  validate_dataset(dataset);
  validate_snapshot(snap);
  require(dataset);
  auto meta = m_meta.load_snapshot(dataset, snap);
  if (!meta) throw std::runtime_error("snapshot " + dataset + "@" + snap + " does not exist");
  if (!complete(dataset, snap))
    throw std::runtime_error("snapshot " + dataset + "@" + snap + " is incomplete (it was interrupted before every dataset "
                             "of its set had it); iocell clean removes it");
  std::vector<std::string> later;
  for (const auto& s : snapshots(dataset)) {
    if (s.name == snap) continue;
    auto m = m_meta.load_snapshot(dataset, s.name);
    if (m && m->created_ns >= meta->created_ns) {
      auto clones = clones_of(dataset, s.name);
      if (!clones.empty())
        throw std::runtime_error("cannot roll back " + dataset + " to @" + snap + ": the later snapshot @" + s.name +
                                 " has clones (" + clones.front() + (clones.size() > 1 ? ", ..." : "") + ")");
      later.push_back(s.name);
    }
  }
  if (dry("roll back " + dataset + " to @" + snap)) return;
  MountedForOperation files(*this, dataset);
  // Files are replaced one by one: until the journal goes, the dataset is
  // half rolled back, and `clean` (or the same rollback again) finishes it.
  const fs::path journal = m_meta.snapshots_dir(dataset) / tn::make(tn::kRollback, snap);
  sdk::records::write_atomic(journal, snap + "\n");
  const auto rels = child_rels(dataset);
  sdk::tree::CopyOptions opts;
  opts.exclude = [&rels](const std::string& rel) { return rels.count(rel) != 0; };
  sdk::tree::sync_tree(m_meta.snapshot_data(dataset, snap), m_root / dataset, meta->created_ns, opts);
  for (const auto& s : later) remove_snapshot_dir(dataset, s);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_meta.snapshots_dir(dataset), ec))
    if (tn::base_of(e.path().filename().string(), tn::kRollback) == snap) fs::remove(e.path(), ec);
}

void DirStorage::clone(const std::string& dataset, const std::string& snap, const std::string& target,
                       const sdk::DatasetOptions& opts) {
  validate_dataset(dataset);
  validate_snapshot(snap);
  validate_dataset(target);
  check_properties(target, opts.properties);
  const fs::path lower = m_meta.snapshot_data(dataset, snap);
  if (!is_real_dir(lower) && !(m_host.dry_run && m_dry_made.has_snapshot(dataset, snap)))
    throw std::runtime_error("snapshot " + dataset + "@" + snap + " does not exist");
  if (fs::exists(fs::symlink_status(m_root / target))) throw std::runtime_error("cannot clone into " + target + ": it exists");
  if (dry("clone " + dataset + "@" + snap + " to " + target)) {
    m_dry_made.made(target);
    return;
  }
  make_parents(target);
  DatasetMeta meta;
  meta.origin = dataset + "@" + snap;
  if (m_overlay) {
    const fs::path ov = m_meta.overlay_dir(target);
    try {
      make_private_dir(ov / "upper");
      make_private_dir(ov / "work");
      // The merged root takes the upper directory's owner, mode and times.
      struct stat st {};
      if (::stat(lower.c_str(), &st) == 0) {
        ::chown((ov / "upper").c_str(), st.st_uid, st.st_gid);
        ::chmod((ov / "upper").c_str(), st.st_mode & 07777);
      }
      if (::mkdir((m_root / target).c_str(), 0755) != 0) throw std::runtime_error("cannot create " + (m_root / target).string() + ": " + std::strerror(errno));
      meta.clone = CloneKind::Overlay;
      apply_options(target, opts, meta);
      ensure_mounted(target);
      return;
    } catch (const std::exception& e) {
      if (m_host.log) m_host.log->warn("overlay clone of {}@{} failed ({}); making a copy instead", dataset, snap, e.what());
      m_meta.remove(target);
      ::rmdir((m_root / target).c_str());
      sdk::tree::remove_tree(ov);
    }
  }
  const fs::path tmp = (m_root / target).parent_path() / tn::make(tn::kClone, fs::path(target).filename().string());
  try {
    sdk::tree::copy_tree(lower, tmp);
    meta.clone = CloneKind::Copy;
    apply_options(target, opts, meta);
    if (::rename(tmp.c_str(), (m_root / target).c_str()) != 0)
      throw std::runtime_error("cannot create " + (m_root / target).string() + ": " + std::strerror(errno));
  } catch (...) {
    sdk::tree::remove_tree(tmp);
    m_meta.remove(target);
    throw;
  }
}

void DirStorage::copy(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) {
  validate_dataset(dataset);
  validate_dataset(target);
  require(dataset);
  check_properties(target, opts.properties);
  if (fs::exists(fs::symlink_status(m_root / target))) throw std::runtime_error("cannot copy into " + target + ": it exists");
  if (dry("copy " + dataset + " to " + target)) {
    m_dry_made.made(target);
    return;
  }
  MountedForOperation files(*this, dataset);
  make_parents(target);
  const fs::path tmp = (m_root / target).parent_path() / tn::make(tn::kCopy, fs::path(target).filename().string());
  const auto rels = child_rels(dataset);
  sdk::tree::CopyOptions copts;
  copts.exclude = [&rels](const std::string& rel) { return rels.count(rel) != 0; };
  try {
    sdk::tree::copy_tree(m_root / dataset, tmp, copts);
    apply_options(target, opts, DatasetMeta{});
    if (::rename(tmp.c_str(), (m_root / target).c_str()) != 0)
      throw std::runtime_error("cannot create " + (m_root / target).string() + ": " + std::strerror(errno));
  } catch (...) {
    sdk::tree::remove_tree(tmp);
    m_meta.remove(target);
    throw;
  }
}

void DirStorage::promote(const std::string& dataset) {
  validate_dataset(dataset);
  require(dataset);
  auto meta = m_meta.load(dataset);
  if (!meta || meta->origin.empty()) throw std::runtime_error(dataset + " is not a clone; there is nothing to promote");
  const std::string was = meta->origin;
  if (dry("promote " + dataset)) return;
  if (meta->clone != CloneKind::Overlay) {
    meta->origin.clear();
    meta->clone = CloneKind::None;
    m_meta.save(dataset, *meta);
    info("promoted " + dataset + ": it was already an independent copy of " + was + "; it no longer counts as its clone");
    return;
  }
  if (!children(dataset).empty())
    throw std::runtime_error("cannot promote " + dataset + ": datasets below it live in its overlay; destroy them first");
  // Mounted by the core (a running jail) or for this promote alone.
  const bool kept = overlay_mounted(dataset) && !m_transient.count(dataset);
  MountedForOperation files(*this, dataset);
  const fs::path target = m_root / dataset;
  const fs::path tmp = target.parent_path() / tn::make(tn::kPromote, target.filename().string());
  try {
    sdk::tree::copy_tree(target, tmp);
  } catch (...) {
    sdk::tree::remove_tree(tmp);
    throw;
  }
  unmount_path(target);
  m_transient.erase(dataset);
  if (::rmdir(target.c_str()) != 0 || ::rename(tmp.c_str(), target.c_str()) != 0) {
    int e = errno;
    if (kept && ensure_mounted(dataset)) m_transient.erase(dataset);
    sdk::tree::remove_tree(tmp);
    throw std::runtime_error("cannot promote " + dataset + ": " + std::strerror(e));
  }
  meta->origin.clear();
  meta->clone = CloneKind::None;
  m_meta.save(dataset, *meta);
  sdk::tree::remove_tree(m_meta.overlay_dir(dataset));
  info("promoted " + dataset + ": copied the content of " + was + " into it; it is a plain directory and no longer depends on " + was);
}

void DirStorage::set_property(const std::string& dataset, const std::string& prop, const std::string& value) {
  validate_dataset(dataset);
  require(dataset);
  check_properties(dataset, {{prop, value}});
  if (dry("set " + prop + "=" + value + " on " + dataset)) return;
  auto meta = m_meta.load(dataset).value_or(DatasetMeta{});
  if (prop.find(':') != std::string::npos) {
    if (value.empty()) meta.user.erase(prop);
    else meta.user[prop] = value;
  } else if (prop == "readonly") {
    meta.readonly = value == "on";
  } else {
    return;  // quota=none, compression=off, ...: already true of a directory
  }
  m_meta.save(dataset, meta);
}

std::string DirStorage::get_property(const std::string& dataset, const std::string& prop) {
  validate_dataset(dataset);
  require(dataset);
  auto meta = m_meta.load(dataset).value_or(DatasetMeta{});
  if (is_quota_prop(prop)) return "none";
  if (prop == "compression" || prop == "dedup") return "off";
  if (prop == "compressratio") return "1.00x";
  if (prop == "readonly") return meta.readonly ? "on" : "off";
  if (prop == "origin") return meta.origin.empty() ? "-" : meta.origin;
  if (prop == "mountpoint") return (m_root / dataset).string();
  if (prop == "used" || prop == "referenced" || prop == "available") {
    auto u = usage(dataset);
    return std::to_string(prop == "used" ? u.used : prop == "referenced" ? u.referenced : u.available);
  }
  if (prop.find(':') != std::string::npos) {
    auto it = meta.user.find(prop);
    return it == meta.user.end() ? "-" : it->second;
  }
  return "-";
}

std::uint64_t DirStorage::own_usage(const std::string& dataset) {
  auto m = m_meta.load(dataset);
  if (m && m->clone == CloneKind::Overlay) return sdk::tree::disk_usage(m_meta.overlay_dir(dataset) / "upper");
  const auto rels = child_rels(dataset);
  return sdk::tree::disk_usage(m_root / dataset, [&rels](const std::string& rel) { return rels.count(rel) != 0; });
}

std::uint64_t DirStorage::snapshot_usage(const std::string& dataset) {
  std::uint64_t sum = 0;
  for (const auto& s : snapshots(dataset)) sum += s.used;
  return sum;
}

sdk::SpaceUsage DirStorage::usage(const std::string& dataset) {
  validate_dataset(dataset);
  require(dataset);
  std::optional<MountedForOperation> files;
  if (!m_host.dry_run) files.emplace(*this, dataset);
  sdk::SpaceUsage u;
  const auto rels = child_rels(dataset);
  u.referenced = sdk::tree::disk_usage(m_root / dataset, [&rels](const std::string& rel) { return rels.count(rel) != 0; });
  u.used = own_usage(dataset) + snapshot_usage(dataset);
  for (const auto& c : children(dataset)) u.used += own_usage(c) + snapshot_usage(c);
  struct statvfs sv {};
  if (::statvfs((m_root / dataset).c_str(), &sv) == 0) u.available = static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
  return u;
}

void DirStorage::send(const std::string& dataset, const std::string& snap, int /*out_fd*/) {
  throw std::runtime_error("dir storage has no replication stream (cannot send " + dataset + "@" + snap +
                           "); export writes a tar archive instead, or use btrfs or zfs");
}

void DirStorage::receive(const std::string& target, int /*in_fd*/) {
  throw std::runtime_error("dir storage has no replication stream (cannot receive into " + target +
                           "); import a tar archive instead, or use btrfs or zfs");
}

}  // namespace iocell::plugins::dir
