// Datasets: create, destroy, rename, clone relationships (zfs-create(8),
// zfs-destroy(8), zfs-rename(8), zfs-promote(8), zfs-list(8)).
#include <algorithm>
#include <stdexcept>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {

std::filesystem::path ZfsStorage::mountpoint(const std::string& dataset) const {
  if (dataset.empty()) return m_root;
  check_dataset(dataset);
  // The longest known explicit mountpoint on the dataset or a parent wins;
  // everything else inherits from <pool>/iocell at the root.
  std::string best;
  for (const auto& [ds, mp] : m_mountpoints) {
    if (Layout::within(dataset, ds) && ds.size() > best.size()) best = ds;
  }
  if (best.empty()) return m_root / dataset;
  const std::string rest = dataset.substr(best.size());
  return rest.empty() ? m_mountpoints.at(best) : m_mountpoints.at(best) / rest.substr(1);
}

const std::vector<FsEntry>& ZfsStorage::tree() {
  if (!m_tree) {
    const auto res = m_zfs.check({"zfs", "list", "-H", "-t", "filesystem", "-o", "name,origin", "-r", layout().top()});
    m_tree = parse_name_origin(res.out);
  }
  return *m_tree;
}

std::string ZfsStorage::relative_or_full(const std::string& full_name) const {
  auto rel = m_layout->relative(full_name);
  return rel ? *rel : full_name;
}

bool ZfsStorage::exists(const std::string& dataset) {
  const std::string full = layout().full(dataset);
  if (m_tree) {
    for (const auto& e : *m_tree)
      if (e.name == full) return true;
    return false;
  }
  const sdk::Command cmd{"zfs", "list", "-H", "-o", "name", full};
  const auto res = m_zfs.run(cmd);
  if (res.ok()) return true;
  if (dataset_missing(res)) return false;
  throw sdk::CommandFailed(cmd, res);
}

void ZfsStorage::create(const std::string& dataset, const sdk::DatasetOptions& opts) {
  const std::string full = layout().full(dataset);
  auto props = checked_options(opts);
  const bool default_compression = !props.count("compression");
  if (default_compression) props["compression"] = "lz4";
  const bool jailed = props.count("jailed") && props["jailed"] == "on";
  // A delegated dataset is mounted by the jail; on the host it must never
  // land anywhere (jail_zfs_mountpoint names a path inside the jail).
  if (jailed && !props.count("mountpoint")) props["mountpoint"] = "none";
  // -p makes missing parents; they get none of the -o values and inherit
  // compression and mountpoint from <pool>/iocell, which is what they need.
  std::vector<std::string> argv = {"zfs", "create", "-p"};
  if (jailed) argv.push_back("-u");
  for (const auto& [k, v] : props) {
    argv.push_back("-o");
    argv.push_back(k + "=" + v);
  }
  argv.push_back(full);
  if (default_compression) create_compressed(argv);
  else m_zfs.check(argv);
  if (!jailed && props.count("mountpoint") && props["mountpoint"][0] == '/') m_mountpoints[dataset] = props["mountpoint"];
  changed();
  if (m_tree) {
    // The dataset and whichever parents -p had to make, none of them clones.
    for (size_t slash = full.find('/', layout().top().size() + 1);; slash = full.find('/', slash + 1)) {
      const std::string name = full.substr(0, slash);
      if (std::none_of(m_tree->begin(), m_tree->end(), [&](const FsEntry& e) { return e.name == name; })) m_tree->push_back({name, ""});
      if (slash == std::string::npos) break;
    }
  }
}

namespace {

// Clones outside `full`'s tree of snapshots inside it. Clones inside the
// tree are no obstacle: zfs destroy -r orders them before their origins.
std::vector<FsEntry> outside_clones(const std::vector<FsEntry>& tree, const std::string& full) {
  std::vector<FsEntry> out;
  for (const auto& e : tree) {
    if (e.origin.empty()) continue;
    if (Layout::within(dataset_of(e.origin), full) && !Layout::within(e.name, full)) out.push_back(e);
  }
  return out;
}

}  // namespace

std::vector<std::string> ZfsStorage::dependents(const std::string& dataset) {
  std::vector<std::string> out;
  for (const auto& e : outside_clones(tree(), layout().full(dataset))) out.push_back(relative_or_full(e.name));
  return out;
}

void ZfsStorage::destroy(const std::string& dataset) {
  const std::string full = layout().full(dataset);
  std::string blockers;
  for (const auto& e : outside_clones(tree(), full))
    blockers += (blockers.empty() ? "" : ", ") + relative_or_full(e.name) + " (cloned from " + relative_or_full(e.origin) + ")";
  if (!blockers.empty())
    throw std::runtime_error("cannot destroy " + dataset + ": clones depend on its snapshots: " + blockers +
                             "; promote them (iocell promote) or destroy them first");
  m_zfs.check({"zfs", "destroy", "-r", full});
  for (auto it = m_mountpoints.begin(); it != m_mountpoints.end();) {
    if (Layout::within(it->first, dataset)) it = m_mountpoints.erase(it);
    else ++it;
  }
  changed();
  if (m_tree) std::erase_if(*m_tree, [&](const FsEntry& e) { return Layout::within(e.name, full); });
}

void ZfsStorage::rename(const std::string& from, const std::string& to) {
  const std::string full_from = layout().full(from), full_to = layout().full(to);
  m_zfs.check({"zfs", "rename", full_from, full_to});
  std::map<std::string, std::filesystem::path> moved;
  for (const auto& [ds, mp] : m_mountpoints) moved[Layout::within(ds, from) ? to + ds.substr(from.size()) : ds] = mp;
  m_mountpoints = std::move(moved);
  changed();
  if (m_tree) {
    auto renamed = [&](const std::string& name) { return Layout::within(name, full_from) ? full_to + name.substr(full_from.size()) : name; };
    for (auto& e : *m_tree) {
      e.name = renamed(e.name);
      if (!e.origin.empty()) e.origin = renamed(dataset_of(e.origin)) + e.origin.substr(e.origin.find('@'));
    }
  }
}

std::string ZfsStorage::origin(const std::string& dataset) {
  const std::string full = layout().full(dataset);
  if (m_tree) {
    for (const auto& e : *m_tree)
      if (e.name == full) return e.origin.empty() ? "" : relative_or_full(e.origin);
  }
  std::string value = m_zfs.check({"zfs", "get", "-H", "-p", "-o", "value", "origin", full}).out;
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty() || value.find('\t') != std::string::npos || value.find('\n') != std::string::npos)
    throw std::runtime_error("unexpected output of zfs get origin " + full + ": '" + value + "'");
  return value == "-" ? "" : relative_or_full(value);
}

void ZfsStorage::promote(const std::string& dataset) {
  const std::string full = layout().full(dataset);
  const std::string base = layout().top() + "/base";
  std::vector<FsEntry> clones;
  for (const auto& e : tree())
    if (Layout::within(e.name, full) && !e.origin.empty()) clones.push_back(e);
  for (const auto& c : clones) {
    if (Layout::within(dataset_of(c.origin), base)) {
      info(relative_or_full(c.name) + " is a read-only clone of the release base, re-made at every start: not promoted");
      continue;
    }
    m_zfs.check({"zfs", "promote", c.name});
  }
  changed();
  forget_tree();
}

}  // namespace iocell::plugins::zfs
