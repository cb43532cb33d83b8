// What killed commands leave in a dir storage, and how `clean` settles it.
#include <set>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/temp_names.hpp>

#include "dir_overlay.hpp"
#include "dir_storage.hpp"

namespace iocell::plugins::dir {

namespace fs = std::filesystem;
namespace tn = sdk::temp_names;

namespace {

std::string parent_of(const std::string& ds) {
  const size_t slash = ds.rfind('/');
  return slash == std::string::npos ? std::string() : ds.substr(0, slash);
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  return out;
}

}  // namespace

std::vector<std::string> DirStorage::clean_leftovers(const std::function<bool(const std::string&)>& idle) {
  std::vector<std::string> done;
  if (m_host.dry_run) return done;
  const auto datasets = m_meta.all();
  std::set<std::string> dirs = {""};
  for (const auto& ds : datasets) {
    dirs.insert(parent_of(ds));
  }
  // Clones, copies and promotions built beside their final name, in the
  // directory of its parent dataset (never inside a jail's root, whose
  // names the jail chooses).
  for (const auto& dir : dirs) {
    for (const auto& p : entries(dir.empty() ? m_root : m_root / dir)) {
      const std::string n = p.filename().string();
      const std::string_view prefix = tn::dataset_prefix(n);
      if (prefix != tn::kClone && prefix != tn::kCopy && prefix != tn::kPromote) continue;
      const std::string base = tn::base_of(n, prefix);
      if (base.empty() || !idle(dir.empty() ? base : dir + "/" + base)) continue;
      sdk::tree::remove_tree(p);
      done.push_back("removed the unfinished " + p.string());
    }
  }
  for (const auto& ds : datasets) {
    if (!idle(ds)) continue;
    const fs::path snaps = m_meta.snapshots_dir(ds);
    // A rollback that stopped: the same rollback again finishes it.
    for (const auto& p : entries(snaps)) {
      const std::string n = p.filename().string();
      const std::string snap = tn::base_of(n, tn::kRollback);
      if (snap.empty()) continue;
      if (complete(ds, snap) && exists(ds)) {
        rollback(ds, snap);
        done.push_back("finished the interrupted rollback of " + ds + " to @" + snap);
      }
      std::error_code ec;
      fs::remove(p, ec);
    }
    // Copies being taken or removed, and parts of a set never completed.
    for (const auto& p : entries(snaps)) {
      const std::string n = p.filename().string();
      if (tn::starts_with(n, tn::kSnap) || tn::starts_with(n, tn::kGone)) {
        sdk::tree::remove_tree(p);
        done.push_back("removed the unfinished snapshot copy " + p.string());
      } else if (!n.empty() && n[0] != '.' && !complete(ds, n)) {
        remove_snapshot_dir(ds, n);
        done.push_back("removed the incomplete snapshot " + ds + "@" + n);
      }
    }
    // Records a rename wrote for a directory it never published.
    if (!exists(ds) && m_meta.load(ds)) {
      unmount_path(m_root / ds);
      sdk::tree::remove_tree(m_meta.overlay_dir(ds));
      sdk::tree::remove_tree(snaps);
      m_meta.remove(ds);
      done.push_back("removed the record of " + ds + ", which has no directory");
    }
  }
  return done;
}

}  // namespace iocell::plugins::dir
