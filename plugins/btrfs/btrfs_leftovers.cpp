// What a killed rollback or copy leaves, and how `clean` settles it.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include <iocell/sdk/temp_names.hpp>

#include "btrfs_storage.hpp"

namespace iocell::plugins::btrfs {

namespace fs = std::filesystem;
namespace rec = sdk::records;
namespace tn = sdk::temp_names;

// A rollback's temporary subvolume holds, besides content that is either
// the snapshot's or the old one, the child datasets it had moved across
// when it stopped. They belong to the dataset, whichever content is there
// by now: they go back, and the temporary subvolume goes.
void BtrfsStorage::settle_rollback(const fs::path& tmp) {
  const std::string base = tn::base_of(tmp.filename().string(), tn::kRollback);
  if (base.empty()) throw std::runtime_error(tmp.string() + " is not the name of a rollback in progress");
  const fs::path home = tmp.parent_path() / base;
  if (!is_subvolume(tmp)) return;
  struct stat st {};
  if (::lstat(home.c_str(), &st) != 0) {
    // Only a rollback of an earlier version swapped with two renames, and
    // stopped between them: the snapshot's copy, children moved in, is the
    // dataset now.
    if (::rename(tmp.c_str(), home.c_str()) != 0)
      throw std::runtime_error("cannot put " + tmp.string() + " back as " + home.string() + ": " + std::strerror(errno));
    return;
  }
  std::vector<std::string> moved;
  for (const auto& rel : nested_subvolumes(tmp)) {
    bool inside_moved = false;
    for (const auto& m : moved) inside_moved = inside_moved || rec::under(rel, m);
    if (inside_moved) continue;
    const fs::path from = tmp / rel, to = home / rel;
    if (is_subvolume(to))
      throw std::runtime_error("cannot settle the interrupted rollback " + tmp.string() + ": both it and " + home.string() +
                               " hold the child dataset " + rel + "; remove the one you do not want");
    ::rmdir(to.c_str());  // the empty stand-in a snapshot holds for a nested subvolume
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    if (::rename(from.c_str(), to.c_str()) != 0)
      throw std::runtime_error("cannot move " + from.string() + " back to " + to.string() + ": " + std::strerror(errno));
    moved.push_back(rel);
  }
  m_subvols.remove(tmp);
  m_deleted = true;
}

void BtrfsStorage::settle_rollbacks_of(const std::string& dataset) {
  const fs::path home = m_root / dataset;
  std::error_code ec;
  const std::string prefix = std::string(tn::kRollback) + home.filename().string() + "-";
  for (const auto& e : fs::directory_iterator(home.parent_path(), ec)) {
    const std::string n = e.path().filename().string();
    if (tn::starts_with(n, prefix) && tn::base_of(n, tn::kRollback) == home.filename().string()) settle_rollback(e.path());
  }
}

std::vector<std::string> BtrfsStorage::clean_leftovers(const std::function<bool(const std::string&)>& idle) {
  std::vector<std::string> done;
  if (m_host.dry_run) return done;
  // Temporary names live beside the dataset they stand for, in the
  // directory of its parent dataset (never inside a jail's root, whose
  // names the jail chooses). Every dataset is a subvolume, and btrfs lists
  // those nested in one.
  std::set<std::string> dirs = {""};
  std::error_code ec;
  // Top-level areas (jails/, releases/) may be plain directories holding
  // the datasets rather than datasets themselves.
  const auto add = [&](const fs::path& path, const std::string& name) {
    dirs.insert(name);
    for (const auto& rel : nested_subvolumes(path)) dirs.insert(rec::parent_of(name + "/" + rel));
  };
  for (const auto& top : fs::directory_iterator(m_root, ec)) {
    const std::string name = top.path().filename().string();
    if (name.empty() || name[0] == '.' || !top.is_directory(ec) || top.is_symlink(ec)) continue;
    if (is_subvolume(top.path())) {
      add(top.path(), name);
      continue;
    }
    dirs.insert(name);
    for (const auto& child : fs::directory_iterator(top.path(), ec)) {
      const std::string cname = child.path().filename().string();
      if (!cname.empty() && cname[0] != '.' && is_subvolume(child.path())) add(child.path(), name + "/" + cname);
    }
  }
  for (const auto& dir : dirs) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir.empty() ? m_root : m_root / dir, ec)) found.push_back(e.path());
    for (const auto& p : found) {
      const std::string n = p.filename().string();
      const std::string_view prefix = tn::dataset_prefix(n);
      if (prefix != tn::kRollback && prefix != tn::kCopy) continue;
      const std::string base = tn::base_of(n, prefix);
      if (base.empty()) continue;
      const std::string owner = dir.empty() ? base : dir + "/" + base;
      if (!idle(owner)) continue;
      if (prefix == tn::kRollback) {
        settle_rollback(p);
        done.push_back("settled the interrupted rollback of " + owner + " (" + p.string() + ")");
      } else {
        if (is_subvolume(p)) m_subvols.remove(p);
        else fs::remove_all(p, ec);
        m_deleted = true;
        done.push_back("removed the unfinished copy " + p.string() + " of " + owner);
      }
    }
  }
  return done;
}

}  // namespace iocell::plugins::btrfs
