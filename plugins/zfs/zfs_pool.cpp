// Pool discovery, activation and the standard datasets under <pool>/iocell.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {
namespace {

// Datasets of their own, so that each can get its own quota, compression or
// snapshots (DESIGN.md section 4).
const char* const kChildren[] = {"jails", "templates", "releases", "download", "base", "images", "packages", "log"};

std::filesystem::path normal_root(const std::filesystem::path& given) {
  std::filesystem::path root = given.empty() ? std::filesystem::path("/iocell") : given.lexically_normal();
  if (!root.has_filename() && root != "/") root = root.parent_path();
  return root;
}

std::string pool_names(const std::vector<PoolEntry>& pools) {
  std::string out;
  for (const auto& p : pools) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

}  // namespace

ZfsStorage::ZfsStorage(const sdk::HostContext& host, std::unique_ptr<HostProbe> probe)
    : m_host(host), m_probe(std::move(probe)), m_zfs(host.runner), m_root(normal_root(host.root)) {}

void ZfsStorage::info(const std::string& line) const {
  if (m_host.log) m_host.log->info("{}", line);
}

Layout& ZfsStorage::layout() {
  if (!m_layout) require_ready();
  return *m_layout;
}

void ZfsStorage::require_ready() {
  if (!m_ready) initialize();
}

std::string ZfsStorage::pool() {
  require_ready();
  return m_layout->pool();
}

void ZfsStorage::changed() { m_props.clear(); }

void ZfsStorage::initialize() {
  if (m_ready) return;
  // The kernel already knows: a prepared host has <pool>/iocell mounted at
  // the root and each standard child mounted below it. A child that is a
  // plain directory with files in it was kept on purpose (see ensure_layout).
  const std::string at_root = m_probe->zfs_mounted_at(m_root);
  const size_t slash = at_root.find('/');
  if (slash != std::string::npos && at_root.substr(slash) == "/iocell") {
    const std::string pool_name = at_root.substr(0, slash);
    check_pool(pool_name);
    m_layout = Layout(pool_name, m_root);
    bool complete = true;
    for (const char* c : kChildren) {
      const std::string mounted = m_probe->zfs_mounted_at(m_root / c);
      complete = complete && (mounted == at_root + "/" + c || (mounted.empty() && m_probe->has_entries(m_root / c)));
    }
    if (!complete) ensure_layout();
    m_ready = true;
    return;
  }

  const auto pools = list_pools();
  if (pools.empty())
    throw std::runtime_error("no ZFS pool on this host: create one (zpool create), then run iocell activate POOL");
  std::vector<std::string> argv = {"zfs", "list", "-H", "-t", "filesystem", "-o", "name,org.iocell:active,mountpoint", "-d", "1"};
  for (const auto& p : pools) {
    check_pool(p.name);
    argv.push_back(p.name);
  }
  const auto tops = parse_tops(m_zfs.check(argv).out);
  std::vector<TopEntry> ours;
  for (const auto& t : tops) {
    for (const auto& p : pools)
      if (t.name == p.name + "/iocell") ours.push_back(t);
  }

  std::string chosen;
  std::string marked_names;
  int marked = 0;
  for (const auto& t : ours) {
    if (t.active != "yes") continue;
    ++marked;
    marked_names += (marked_names.empty() ? "" : ", ") + t.name;
    chosen = t.name.substr(0, t.name.find('/'));
  }
  if (marked > 1)
    throw std::runtime_error("several pools are marked active for iocell (org.iocell:active=yes on " + marked_names +
                             "): run iocell activate POOL to choose one");
  if (chosen.empty()) {
    // Hosts of the shell iocell: it kept the pool in /iocell/.default and
    // mounted <pool>/iocell at /iocell; its init-host set the zpool comment.
    std::vector<std::string> at_root_pools, commented;
    for (const auto& t : ours)
      if (t.mountpoint == m_root.string()) at_root_pools.push_back(t.name.substr(0, t.name.find('/')));
    for (const auto& p : pools)
      if (p.comment == "iocell") commented.push_back(p.name);
    if (at_root_pools.size() == 1) chosen = at_root_pools.front();
    else if (at_root_pools.empty() && commented.size() == 1) chosen = commented.front();
    if (chosen.empty())
      throw std::runtime_error("no pool is active for iocell: run iocell activate POOL (pools on this host: " +
                               pool_names(pools) + ")");
  }
  m_layout = Layout(chosen, m_root);
  ensure_layout();
  m_ready = true;
}

void ZfsStorage::ensure_layout() {
  const Layout& l = *m_layout;
  const sdk::Command list{"zfs", "list", "-H", "-t", "filesystem", "-o", "name,mountpoint,mounted,org.iocell:active", "-d", "1", l.top()};
  const auto res = m_zfs.run(list);
  if (!res.ok() && !dataset_missing(res)) throw sdk::CommandFailed(list, res);
  const auto mounts = res.ok() ? parse_mounts(res.out) : std::vector<MountEntry>{};
  auto find = [&](const std::string& name) -> const MountEntry* {
    for (const auto& m : mounts)
      if (m.name == name) return &m;
    return nullptr;
  };

  if (const MountEntry* top = find(l.top())) {
    if (top->mountpoint != m_root.string())
      throw std::runtime_error(l.top() + " is mounted at " + top->mountpoint + ", not at the iocell root " + m_root.string() +
                               ": run iocell activate " + l.pool() + " to move it there, or use --root " + top->mountpoint);
    if (top->active != "yes") {
      // A host of the shell iocell, found by its mount or zpool comment.
      info("adopting " + l.top() + " for iocell (org.iocell:active=yes)");
      m_zfs.check({"zfs", "set", "org.iocell:active=yes", l.top()});
    }
    if (!top->mounted) m_zfs.check({"zfs", "mount", l.top()});
  } else {
    create_compressed({"zfs", "create", "-o", "compression=lz4", "-o", "mountpoint=" + m_root.string(), "-o", "org.iocell:active=yes", l.top()});
  }
  for (const char* c : kChildren) {
    const std::string name = l.top() + "/" + c;
    const auto where = m_root / c;
    if (const MountEntry* child = find(name)) {
      if (child->mountpoint != where.string())
        throw std::runtime_error(name + " is mounted at " + child->mountpoint + ", but iocell expects it at " + where.string() +
                                 " (zfs inherit mountpoint " + name + ")");
      if (!child->mounted) m_zfs.check({"zfs", "mount", name});
      continue;
    }
    // The shell iocell kept log/ and images/ as directories of the top
    // dataset: a new dataset would hide their files, so they stay.
    if (m_probe->zfs_mounted_at(where).empty() && m_probe->has_entries(where)) {
      info("keeping " + where.string() + " as a directory of " + l.top() + ": it already holds files");
      continue;
    }
    m_zfs.check({"zfs", "create", name});
  }
  changed();
  forget_tree();
}

void ZfsStorage::activate(const std::string& pool_name) {
  check_pool(pool_name);
  const auto pools = list_pools();
  if (std::none_of(pools.begin(), pools.end(), [&](const PoolEntry& p) { return p.name == pool_name; }))
    throw std::runtime_error("no pool named '" + pool_name + "' on this host (pools: " +
                             (pools.empty() ? std::string("none") : pool_names(pools)) + ")");
  std::vector<std::string> argv = {"zfs", "list", "-H", "-t", "filesystem", "-o", "name,org.iocell:active,mountpoint", "-d", "1"};
  for (const auto& p : pools) {
    check_pool(p.name);
    argv.push_back(p.name);
  }
  const auto tops = parse_tops(m_zfs.check(argv).out);
  const Layout target(pool_name, m_root);

  // First free the root: two datasets mounted at /iocell would hide each other.
  for (const auto& t : tops) {
    const std::string owner = t.name.substr(0, t.name.find('/'));
    if (t.name != owner + "/iocell" || t.name == target.top()) continue;
    std::vector<std::string> set = {"zfs", "set"};
    if (t.mountpoint == m_root.string()) set.push_back("mountpoint=/" + owner + "/iocell");
    if (t.active == "yes") set.push_back("org.iocell:active=no");
    if (set.size() == 2) continue;
    info("deactivating " + t.name);
    set.push_back(t.name);
    m_zfs.check(set);
  }
  for (const auto& t : tops) {
    if (t.name != target.top()) continue;
    std::vector<std::string> set = {"zfs", "set"};
    if (t.active != "yes") set.push_back("org.iocell:active=yes");
    if (t.mountpoint != m_root.string()) set.push_back("mountpoint=" + m_root.string());
    if (set.size() == 2) continue;
    set.push_back(t.name);
    m_zfs.check(set);
  }
  m_layout = target;
  m_mountpoints.clear();
  changed();
  forget_tree();
  ensure_layout();
  m_ready = true;
}

}  // namespace iocell::plugins::zfs
