#include "btrfs_storage.hpp"
#include "btrfs_stream.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>

namespace iocell::plugins::btrfs {

namespace fs = std::filesystem;
namespace rec = sdk::records;

namespace {

bool is_real_dir(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_quota(const std::string& p) { return p == "quota" || p == "refquota"; }
bool is_reservation(const std::string& p) { return p == "reservation" || p == "refreservation"; }

}  // namespace

BtrfsStorage::BtrfsStorage(const sdk::HostContext& host)
    : m_host(host), m_root(host.root), m_records(host.root / ".datasets", false), m_subvols(host), m_qgroups(host) {}

int BtrfsStorage::probe(const std::filesystem::path& root) {
  constexpr unsigned long kBtrfsMagic = 0x9123683EUL;  // BTRFS_SUPER_MAGIC, linux/magic.h
  auto dir = root;
  std::error_code ec;
  while (!dir.empty() && dir != dir.root_path() && !std::filesystem::exists(dir, ec)) dir = dir.parent_path();
  struct statfs st {};
  return ::statfs(dir.c_str(), &st) == 0 && static_cast<unsigned long>(st.f_type) == kBtrfsMagic ? 10 : 0;
}

bool BtrfsStorage::dry(const std::string& what) const {
  if (!m_host.dry_run) return false;
  m_host.would(what);
  return true;
}

void BtrfsStorage::info(const std::string& line) const {
  if (m_host.progress) m_host.progress->info(line);
  else if (m_host.log) m_host.log->info("{}", line);
}

fs::path BtrfsStorage::snap_dir(const std::string& ds) const { return m_root / ".snapshots" / rec::escape(ds); }

void BtrfsStorage::initialize() {
  if (m_host.dry_run) return;
  std::error_code ec;
  fs::create_directories(m_root, ec);
  if (!on_btrfs(m_root))
    throw std::runtime_error("the iocell root " + m_root.string() + " is not on btrfs; use the dir storage (--storage dir) there");
  for (const char* d : {".snapshots", ".datasets"}) {
    fs::create_directories(m_root / d, ec);
    if (ec) throw std::runtime_error("cannot create " + (m_root / d).string() + ": " + ec.message());
    ::chmod((m_root / d).c_str(), 0700);
  }
}

fs::path BtrfsStorage::mountpoint(const std::string& dataset) const {
  rec::validate_dataset(dataset);
  return m_root / dataset;
}

bool BtrfsStorage::exists(const std::string& dataset) {
  rec::validate_dataset(dataset);
  return is_real_dir(m_root / dataset) || m_dry_made.has(dataset);
}

void BtrfsStorage::require(const std::string& dataset) {
  if (!exists(dataset)) throw std::runtime_error("dataset " + dataset + " does not exist (no " + (m_root / dataset).string() + ")");
}

std::vector<std::string> BtrfsStorage::children(const std::string& dataset) const {
  // The filesystem itself says which datasets lie below: nested subvolumes.
  std::vector<std::string> out;
  if (!is_subvolume(m_root / dataset)) return out;
  for (const auto& rel : nested_subvolumes(m_root / dataset)) out.push_back(dataset + "/" + rel);
  return out;
}

std::vector<std::string> BtrfsStorage::direct_children(const std::string& dataset) const {
  std::vector<std::string> out;
  for (const auto& c : children(dataset)) {
    if (std::none_of(out.begin(), out.end(), [&](const std::string& p) { return rec::under(c, p); })) out.push_back(c);
  }
  return out;
}

std::set<std::string> BtrfsStorage::child_rels(const std::string& dataset) const {
  std::set<std::string> rels;
  for (const auto& c : children(dataset)) rels.insert(c.substr(dataset.size() + 1));
  return rels;
}

void BtrfsStorage::make_parents(const std::string& dataset) {
  std::vector<std::string> missing;
  for (std::string p = rec::parent_of(dataset); !p.empty() && !is_real_dir(m_root / p); p = rec::parent_of(p)) missing.push_back(p);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) m_subvols.create(m_root / *it);
}

void BtrfsStorage::check_properties(const std::string& dataset, const std::map<std::string, std::string>& props) const {
  for (const auto& [prop, value] : props) {
    if (prop.find(':') != std::string::npos) continue;
    if (is_quota(prop)) {
      parse_size(prop, value);
    } else if (is_reservation(prop)) {
      if (value != "none" && value != "0")
        throw std::runtime_error("btrfs storage cannot reserve space (asked " + prop + "=" + value + " for " + dataset +
                                 "); use zfs, or " + prop + "=none");
    } else if (prop == "compression") {
      static const std::set<std::string> ok = {"off", "none", "on", "zlib", "lzo", "zstd"};
      if (!ok.count(value))
        throw std::runtime_error("btrfs compresses with zlib, lzo or zstd (compression=on means zstd), not compression=" + value +
                                 " (dataset " + dataset + ")");
    } else if (prop == "dedup") {
      if (value != "off") throw std::runtime_error("btrfs storage has no inline dedup (dedup=" + value + " for " + dataset + "); use dedup=off");
    } else if (prop == "readonly") {
      if (value != "on" && value != "off") throw std::runtime_error("readonly must be on or off, not '" + value + "'");
    } else {
      throw std::runtime_error("btrfs storage has no property '" + prop + "' (dataset " + dataset +
                               "); it knows quota, refquota, reservation=none, compression, dedup=off, readonly and user "
                               "properties (names with ':')");
    }
  }
}

void BtrfsStorage::apply_native(const std::string& dataset, const std::string& prop, const std::string& value) {
  const fs::path path = m_root / dataset;
  if (is_quota(prop)) {
    auto bytes = parse_size(prop, value);
    if (!bytes && !m_qgroups.enabled(m_root)) return;  // no quota to lift
    m_qgroups.ensure_enabled(m_root);
    if (m_host.dry_run) {
      m_qgroups.limit(m_root, 0, prop == "quota", bytes);
      return;
    }
    // A jail's data lives in its child dataset (jails/<uuid>/root). A
    // parent qgroup over both would need a rescan of the whole filesystem
    // to become consistent, so each subvolume of the dataset gets the limit.
    auto targets = children(dataset);
    targets.insert(targets.begin(), dataset);
    for (const auto& ds : targets)
      if (is_subvolume(m_root / ds)) m_qgroups.limit(m_root, subvol_info(m_root / ds).id, prop == "quota", bytes);
  } else if (prop == "compression") {
    std::string v = value == "on" ? "zstd" : (value == "off" || value == "none") ? "none" : value;
    m_host.runner->check({"btrfs", "property", "set", path.string(), "compression", v});
  } else if (prop == "readonly") {
    m_subvols.set_readonly(path, value == "on");
  }
}

void BtrfsStorage::record_new(const std::string& dataset, const sdk::DatasetOptions& opts, const std::string& origin) {
  rec::DatasetRecord r;
  r.readonly = opts.readonly || (opts.properties.count("readonly") && opts.properties.at("readonly") == "on");
  r.origin = origin;
  r.clone_kind = origin.empty() ? "" : "snapshot";
  for (const auto& [k, v] : opts.properties)
    if (k.find(':') != std::string::npos) r.user[k] = v;
  // Only what btrfs cannot say itself needs a record.
  if (r.readonly || !r.origin.empty() || !r.user.empty()) m_records.save(dataset, r);
  if (!origin.empty()) mark_source(rec::split_origin(origin).first);
  for (const auto& [k, v] : opts.properties)
    if (k.find(':') == std::string::npos && k != "readonly") apply_native(dataset, k, v);
}

void BtrfsStorage::mark_source(const std::string& dataset) {
  auto r = m_records.load(dataset).value_or(rec::DatasetRecord{});
  if (r.source) return;
  r.source = true;
  m_records.save(dataset, r);
}

// Roots made before sources were marked: mark every origin once, then the
// marker file says the marks can be trusted.
bool BtrfsStorage::sources_tracked() {
  const fs::path marker = m_records.dir() / ".sources-marked";
  if (fs::exists(marker)) return true;
  for (const auto& ds : m_records.all()) {
    auto r = m_records.load(ds);
    if (r && !r->origin.empty()) mark_source(rec::split_origin(r->origin).first);
  }
  std::error_code ec;
  fs::create_directories(m_records.dir(), ec);
  rec::write_atomic(marker, "", false);
  return false;
}

void BtrfsStorage::create(const std::string& dataset, const sdk::DatasetOptions& opts) {
  rec::validate_dataset(dataset);
  check_properties(dataset, opts.properties);
  const fs::path path = m_root / dataset;
  if (is_real_dir(path)) {
    // Like `zfs create -p`: an existing dataset is success; options still apply.
    if (m_host.dry_run) return;
    for (const auto& [k, v] : opts.properties) set_property(dataset, k, v);
    if (opts.readonly) set_property(dataset, "readonly", "on");
    return;
  }
  if (m_host.dry_run) {
    m_subvols.create(path);
    m_dry_made.made(dataset);
    return;
  }
  make_parents(dataset);
  m_subvols.create(path);
  try {
    record_new(dataset, opts, "");
    if (opts.readonly) m_subvols.set_readonly(path, true);
  } catch (...) {
    m_subvols.remove(path);
    m_records.remove(dataset);
    throw;
  }
}

std::vector<std::string> BtrfsStorage::dependents(const std::string& dataset) {
  rec::validate_dataset(dataset);
  std::vector<std::string> out;
  for (const auto& ds : m_records.clones_of(dataset, "", true))
    if (is_real_dir(m_root / ds)) out.push_back(ds);
  return out;
}

std::string BtrfsStorage::origin(const std::string& dataset) {
  rec::validate_dataset(dataset);
  auto r = m_records.load(dataset);
  return r ? r->origin : std::string();
}

void BtrfsStorage::remove_dataset(const std::string& ds) {
  for (const auto& s : list_snaps(ds)) remove_snapshot(ds, s.name);
  const fs::path path = m_root / ds;
  if (is_subvolume(path)) m_subvols.remove(path);
  else sdk::tree::remove_tree(path);
  std::error_code ec;
  fs::remove(snap_dir(ds), ec);
  m_records.remove(ds);
  m_deleted = true;
}

void BtrfsStorage::destroy(const std::string& dataset) {
  rec::validate_dataset(dataset);
  if (!exists(dataset) && !m_records.load(dataset)) throw std::runtime_error("dataset " + dataset + " does not exist");
  std::vector<std::string> outside;
  for (const auto& d : dependents(dataset))
    if (!rec::under(d, dataset)) outside.push_back(d);
  if (!outside.empty()) {
    std::string names;
    for (const auto& d : outside) names += (names.empty() ? "" : ", ") + d;
    throw std::runtime_error("cannot destroy " + dataset + ": clones depend on its snapshots: " + names +
                             " (destroy or promote them first)");
  }
  if (m_host.dry_run) {
    m_subvols.remove(m_root / dataset);
    return;
  }
  auto all = children(dataset);
  all.insert(all.begin(), dataset);
  for (auto it = all.rbegin(); it != all.rend(); ++it) remove_dataset(*it);
  for (const auto& ds : m_records.all())
    if (rec::under(ds, dataset)) m_records.remove(ds);
}

void BtrfsStorage::rename(const std::string& from, const std::string& to) {
  rec::validate_dataset(from);
  rec::validate_dataset(to);
  require(from);
  if (rec::under(to, from)) throw std::runtime_error("cannot rename " + from + " to " + to + ": the target is inside the source");
  if (fs::exists(fs::symlink_status(m_root / to))) throw std::runtime_error("cannot rename " + from + " to " + to + ": " + to + " exists");
  if (dry("rename " + from + " to " + to)) return;
  std::vector<std::string> moved = children(from);
  moved.insert(moved.begin(), from);
  // Origins that name a moved dataset must follow it. Only a dataset marked
  // as a clone source can be named: without one, no record needs reading
  // (there is one per clone; a create must not read them all).
  bool named_by_origins = !sources_tracked();
  for (const auto& ds : moved) {
    auto r = m_records.load(ds);
    named_by_origins = named_by_origins || (r && r->source);
  }
  make_parents(to);
  if (::rename((m_root / from).c_str(), (m_root / to).c_str()) != 0)
    throw std::runtime_error("cannot rename " + (m_root / from).string() + " to " + (m_root / to).string() + ": " + std::strerror(errno));
  const auto renamed = [&](const std::string& ds) { return to + ds.substr(from.size()); };
  for (const auto& ds : moved) {
    const std::string nds = renamed(ds);
    if (is_real_dir(snap_dir(ds)) && ::rename(snap_dir(ds).c_str(), snap_dir(nds).c_str()) != 0)
      throw std::runtime_error("cannot move the snapshots of " + ds + " to " + snap_dir(nds).string() + ": " + std::strerror(errno));
    m_records.move(ds, nds);
  }
  if (!named_by_origins) return;
  for (const auto& ds : m_records.all()) {
    auto r = m_records.load(ds);
    if (!r || r->origin.empty()) continue;
    auto [src, snap] = rec::split_origin(r->origin);
    if (rec::under(src, from)) {
      r->origin = renamed(src) + "@" + snap;
      m_records.save(ds, *r);
    }
  }
}

void BtrfsStorage::set_property(const std::string& dataset, const std::string& prop, const std::string& value) {
  rec::validate_dataset(dataset);
  require(dataset);
  check_properties(dataset, {{prop, value}});
  if (prop.find(':') != std::string::npos || prop == "readonly") {
    if (dry("set " + prop + "=" + value + " on " + dataset)) return;
    auto r = m_records.load(dataset).value_or(rec::DatasetRecord{});
    if (prop == "readonly") {
      m_subvols.set_readonly(m_root / dataset, value == "on");
      r.readonly = value == "on";
    } else if (value.empty()) {
      r.user.erase(prop);
    } else {
      r.user[prop] = value;
    }
    m_records.save(dataset, r);
    return;
  }
  if (is_reservation(prop) || prop == "dedup") return;  // only "none"/"off" pass the check: already true
  apply_native(dataset, prop, value);
}

std::string BtrfsStorage::get_property(const std::string& dataset, const std::string& prop) {
  rec::validate_dataset(dataset);
  require(dataset);
  const fs::path path = m_root / dataset;
  auto r = m_records.load(dataset).value_or(rec::DatasetRecord{});
  if (is_quota(prop)) {
    if (!is_subvolume(path) || !m_qgroups.enabled(m_root)) return "none";
    auto q = m_qgroups.show(path, subvol_info(path).id);
    auto limit = q ? (prop == "quota" ? q->max_exclusive : q->max_referenced) : std::nullopt;
    return limit ? format_size(*limit) : "none";
  }
  if (is_reservation(prop)) return "none";
  if (prop == "dedup") return "off";
  if (prop == "compression") {
    auto res = m_host.runner->run({"btrfs", "property", "get", path.string(), "compression"});
    const std::string key = "compression=";
    size_t at = res.out.find(key);
    if (!res.ok() || at == std::string::npos) return "off";
    std::string v = res.out.substr(at + key.size());
    v = v.substr(0, v.find_first_of("\n "));
    return v.empty() ? "off" : v;
  }
  if (prop == "readonly") return is_subvolume(path) && subvol_info(path).readonly ? "on" : "off";
  if (prop == "origin") return r.origin.empty() ? "-" : r.origin;
  if (prop == "mountpoint") return path.string();
  if (prop == "creation") return is_subvolume(path) ? std::to_string(subvol_info(path).otime_ns / 1000000000LL) : "-";
  if (prop == "used" || prop == "referenced" || prop == "available") {
    auto u = usage(dataset);
    return std::to_string(prop == "used" ? u.used : prop == "referenced" ? u.referenced : u.available);
  }
  if (prop.find(':') != std::string::npos) {
    auto it = r.user.find(prop);
    return it == r.user.end() ? "-" : it->second;
  }
  return "-";
}

sdk::SpaceUsage BtrfsStorage::usage(const std::string& dataset) {
  rec::validate_dataset(dataset);
  require(dataset);
  // Deleted subvolumes hold their space until the cleaner is done.
  if (m_deleted) {
    m_subvols.wait_cleaner(m_root);
    m_deleted = false;
  }
  const fs::path path = m_root / dataset;
  sdk::SpaceUsage u;
  auto all = children(dataset);
  all.insert(all.begin(), dataset);
  const bool quotas = !m_host.dry_run && m_qgroups.enabled(m_root);
  for (const auto& ds : all) {
    const fs::path p = m_root / ds;
    if (quotas && is_subvolume(p)) {
      auto q = m_qgroups.show(p, subvol_info(p).id);
      if (!q) continue;
      u.used += q->exclusive;
      if (ds == dataset) {
        u.referenced = q->referenced;
        u.quota = q->max_exclusive;
      }
    } else {
      const auto rels = child_rels(ds);
      auto bytes = sdk::tree::disk_usage(p, [&rels](const std::string& rel) { return rels.count(rel) != 0; });
      u.used += bytes;
      if (ds == dataset) u.referenced = bytes;
    }
    for (const auto& s : list_snaps(ds)) u.used += snapshot_bytes(ds, s.name, quotas);
  }
  struct statvfs sv {};
  if (::statvfs(path.c_str(), &sv) == 0) u.available = static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
  if (u.quota && u.used < *u.quota) u.available = std::min(u.available, *u.quota - u.used);
  else if (u.quota) u.available = 0;
  return u;
}

void BtrfsStorage::send(const std::string& dataset, const std::string& snap, int out_fd) {
  rec::validate_dataset(dataset);
  rec::validate_snapshot(snap);
  // The nested subvolumes travel too: a jail's files are in its root, a
  // subvolume inside its home, which a send of the home leaves out.
  std::vector<std::string> list = children(dataset);
  list.insert(list.begin(), dataset);
  std::vector<std::string> places;
  for (const auto& ds : list) {
    if (!is_subvolume(snap_path(ds, snap)))
      throw std::runtime_error("snapshot " + ds + "@" + snap + " does not exist" +
                               (ds == dataset ? "" : " (a stream of " + dataset + " needs a recursive snapshot)"));
    places.push_back(ds == dataset ? "." : ds.substr(dataset.size() + 1));
  }
  if (list.size() > 1 && !m_host.dry_run) {
    const std::string header = tree_header(places);
    if (::write(out_fd, header.data(), header.size()) != static_cast<ssize_t>(header.size()))
      throw std::runtime_error("cannot write the stream of " + dataset + ": " + std::strerror(errno));
  }
  for (const auto& ds : list) {
    sdk::Command cmd{"btrfs", "send", "-q", snap_path(ds, snap).string()};
    cmd.stdout_fd = out_fd;
    m_host.runner->check(cmd);
  }
}

void BtrfsStorage::receive(const std::string& target, int in_fd) {
  rec::validate_dataset(target);
  if (fs::exists(fs::symlink_status(m_root / target))) throw std::runtime_error("cannot receive into " + target + ": it exists");
  // Each subvolume lands as a read-only snapshot named after the sent one,
  // straight in its dataset's snapshot directory: btrfs refuses to move a
  // read-only subvolume to another directory afterwards. The stream is
  // untrusted: its names are checked before anything lands, and --chroot
  // confines what the checks cannot see (a write through a symbolic link
  // the stream made itself) to the receiving directory.
  struct Part {
    std::string dataset;
    off_t start = 0;
  };
  std::vector<Part> parts;
  if (m_host.dry_run) {
    parts.push_back({target, 0});
  } else {
    if (::lseek(in_fd, 0, SEEK_CUR) < 0) throw std::runtime_error("btrfs receive into " + target + " needs the stream in a file (it is checked, then applied)");
    for (const auto& place : read_tree_header(in_fd)) {
      const std::string ds = place == "." ? target : target + "/" + place;
      rec::validate_dataset(ds);
      parts.push_back({ds, ::lseek(in_fd, 0, SEEK_CUR)});
      rec::validate_snapshot(check_send_stream(in_fd));
    }
    char extra;
    if (::read(in_fd, &extra, 1) != 0) throw std::runtime_error("the stream for " + target + " goes on after its last subvolume");
  }
  const auto receive_cmd = [](const fs::path& dir) { return sdk::Command{"btrfs", "receive", "-e", "--chroot", dir.string()}; };
  if (m_host.dry_run) {
    sdk::Command cmd = receive_cmd(snap_dir(target));
    cmd.stdin_fd = in_fd;
    m_host.runner->check(cmd);
    return;
  }
  std::error_code ec;
  for (const auto& part : parts)
    if (fs::exists(snap_dir(part.dataset)) && !fs::is_empty(snap_dir(part.dataset), ec))
      throw std::runtime_error("cannot receive into " + target + ": stale snapshots of that name exist in " + snap_dir(part.dataset).string());
  std::vector<fs::path> made;
  try {
    for (const auto& part : parts) {
      const fs::path dir = snap_dir(part.dataset);
      fs::create_directories(dir);
      if (::lseek(in_fd, part.start, SEEK_SET) != part.start) throw std::runtime_error("cannot rewind the stream for " + target);
      sdk::Command cmd = receive_cmd(dir);
      cmd.stdin_fd = in_fd;
      m_host.runner->check(cmd);
      std::vector<std::string> got;
      for (const auto& e : fs::directory_iterator(dir))
        if (is_subvolume(e.path())) got.push_back(e.path().filename().string());
      if (got.size() != 1)
        throw std::runtime_error("the stream received into " + part.dataset + " held " + std::to_string(got.size()) + " subvolumes, not one");
      rec::validate_snapshot(got[0]);
      // A nested subvolume is an empty directory in its parent's snapshot.
      const fs::path dest = m_root / part.dataset;
      if (part.dataset == target) make_parents(target);
      else if (::rmdir(dest.c_str()) != 0 && errno != ENOENT)
        throw std::runtime_error("cannot place " + part.dataset + ": " + dest.string() + " is not an empty directory in its parent");
      if (!fs::is_directory(dest.parent_path())) throw std::runtime_error("cannot place " + part.dataset + ": its parent directory is not in the stream");
      m_subvols.snapshot(snap_path(part.dataset, got[0]), dest, false);
      made.push_back(dest);
    }
  } catch (...) {
    // Undone as far as it goes: a leftover is `clean`'s, the first error the caller's.
    const auto remove = [&](const fs::path& p) {
      try {
        m_subvols.remove(p);
      } catch (const std::exception& e) {
        if (m_host.log) m_host.log->warn("{}", e.what());
      }
    };
    for (auto it = made.rbegin(); it != made.rend(); ++it) remove(*it);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      const fs::path dir = snap_dir(it->dataset);
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (is_subvolume(e.path())) remove(e.path());
      fs::remove_all(dir, ec);
    }
    throw;
  }
}

}  // namespace iocell::plugins::btrfs
