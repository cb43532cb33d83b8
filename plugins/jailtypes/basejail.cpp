#include "basejail.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/safe_root.hpp>

#include "simple_types.hpp"

namespace iocell::plugins::jailtypes {

namespace fs = std::filesystem;

const std::vector<std::string>& base_dirs() {
  static const std::vector<std::string> dirs = {"bin",     "boot",        "lib",       "libexec",     "rescue",
                                                "sbin",    "usr/bin",     "usr/include", "usr/lib",   "usr/libexec",
                                                "usr/sbin", "usr/share",  "usr/src",   "usr/libdata", "usr/lib32"};
  return dirs;
}

std::vector<std::string> shared_dirs(const fs::path& release_root) {
  std::vector<std::string> out;
  for (const auto& d : base_dirs()) {
    // Through the safe walk: a symlink (lib -> usr/lib) is the release's
    // own file, copied with the rest, never mounted.
    try {
      sdk::SafeRoot(release_root).open_dir(d);
      out.push_back(d);
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::string BaseJail::release_dataset(const sdk::JailSpec& spec) {
  const std::string rel = spec.props.get("release");
  if (rel.empty() || rel == "none" || rel == "-")
    throw std::runtime_error("basejail " + spec.uuid + " has no release property; set release=<fetched release>");
  return "releases/" + rel + "/root";
}

void BaseJail::provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) {
  require_release(storage, req);
  const fs::path release_root = storage.mountpoint(req.release_dataset);
  const auto dirs = shared_dirs(release_root);
  const std::string root = root_dataset(req.dataset);
  if (per_dir_clones(storage)) build_base(storage, req.release, req.release_dataset, dirs);
  if (m_host.dry_run) {
    storage.create(root, {});
    if (per_dir_clones(storage)) reclone(storage, req.dataset, req.release, req.uuid, dirs);
    return;
  }
  storage.create(root, {});
  // Clones of usr/<x> need usr to be a dataset of the jail's own.
  if (per_dir_clones(storage) && std::any_of(dirs.begin(), dirs.end(), [](const auto& d) { return d.rfind("usr/", 0) == 0; }))
    storage.create(root + "/usr", {});
  const std::set<std::string> shared(dirs.begin(), dirs.end());
  sdk::tree::CopyOptions opts;
  opts.exclude = [&shared](const std::string& rel) { return shared.count(rel) != 0; };
  sdk::tree::copy_contents(release_root, storage.mountpoint(root), opts);
  if (per_dir_clones(storage)) reclone(storage, req.dataset, req.release, req.uuid, dirs);
}

void BaseJail::build_base(sdk::Storage& storage, const std::string& release, const std::string& rel_dataset,
                          const std::vector<std::string>& dirs) {
  const fs::path release_root = storage.mountpoint(rel_dataset);
  for (const auto& d : dirs) {
    const std::string ds = "base/" + release + "/root/" + d;
    if (storage.exists(ds)) continue;
    storage.create(ds, {});
    if (m_host.dry_run) continue;
    try {
      sdk::tree::copy_contents(release_root / d, storage.mountpoint(ds));
    } catch (...) {
      // Half a base would be cloned into jails as if it were whole.
      storage.destroy(ds);
      throw;
    }
  }
}

void BaseJail::reclone(sdk::Storage& storage, const std::string& jail_dataset, const std::string& release,
                       const std::string& uuid, const std::vector<std::string>& dirs) {
  const std::string root = root_dataset(jail_dataset);
  if (!m_host.dry_run) {
    // The mountpoints are reached without following anything the jail planted.
    sdk::SafeRoot jail_root(storage.mountpoint(root));
    for (const auto& d : dirs) jail_root.make_dirs(d);
  }
  sdk::DatasetOptions ro;
  ro.readonly = true;
  for (const auto& d : dirs) {
    const std::string src = "base/" + release + "/root/" + d;
    const std::string target = root + "/" + d;
    if (storage.exists(target)) storage.destroy(target);
    const auto snaps = storage.snapshots(src);
    if (std::any_of(snaps.begin(), snaps.end(), [&](const auto& s) { return s.name == uuid; }))
      storage.destroy_snapshot(src, uuid, false);
    storage.snapshot(src, uuid, false);
    storage.clone(src, uuid, target, ro);
  }
}

void BaseJail::before_start(sdk::Storage& storage, const sdk::JailSpec& spec) {
  const std::string rel_ds = release_dataset(spec);
  if (!storage.exists(rel_ds))
    throw std::runtime_error("basejail " + spec.uuid + " shares release " + spec.props.get("release") +
                             ", which is not fetched (no " + rel_ds + "); run iocell fetch release=" + spec.props.get("release"));
  storage.mount(spec.dataset);
  const fs::path release_root = storage.mountpoint(rel_ds);
  const auto dirs = shared_dirs(release_root);
  if (per_dir_clones(storage)) {
    build_base(storage, spec.props.get("release"), rel_ds, dirs);
    reclone(storage, spec.dataset, spec.props.get("release"), spec.uuid, dirs);
    return;
  }
  try {
    for (const auto& d : dirs) m_mounts.mount_ro(release_root, d, spec.root);
  } catch (...) {
    try {
      after_stop(storage, spec);
    } catch (const std::exception& e) {
      // The start's own error is the one to report.
      if (m_host.log) m_host.log->warn("cleaning up after a failed start of {}: {}", spec.uuid, e.what());
    }
    throw;
  }
}

// Each start snapshots every shared directory of the base under the jail's
// UUID and clones it; the clones went with the jail, the snapshots would
// stay on the base for ever.
void BaseJail::after_destroy(sdk::Storage& storage, const sdk::JailSpec& spec) {
  if (!per_dir_clones(storage)) return;
  const std::string base = "base/" + spec.props.get("release") + "/root";
  for (const auto& d : base_dirs()) {
    const std::string src = base + "/" + d;
    if (!storage.exists(src)) continue;
    const auto snaps = storage.snapshots(src);
    if (std::any_of(snaps.begin(), snaps.end(), [&](const auto& s) { return s.name == spec.uuid; }))
      storage.destroy_snapshot(src, spec.uuid, false);
  }
}

void BaseJail::after_stop(sdk::Storage& storage, const sdk::JailSpec& spec) {
  if (per_dir_clones(storage)) return;  // the clones stay until the next start re-clones them
  std::string first_error;
  const auto& dirs = base_dirs();
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    try {
      m_mounts.unmount(spec.root, *it);
    } catch (const std::exception& e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (!first_error.empty()) throw std::runtime_error("basejail " + spec.uuid + ": " + first_error);
}

}  // namespace iocell::plugins::jailtypes
