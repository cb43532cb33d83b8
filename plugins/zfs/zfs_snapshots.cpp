// Snapshots, clones and thick copies (zfs-snapshot(8), zfs-rollback(8),
// zfs-clone(8), zfs-send(8), zfs-receive(8)).
#include <algorithm>
#include <stdexcept>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {

void ZfsStorage::snapshot(const std::string& dataset, const std::string& snap, bool recursive) {
  const std::string name = layout().full_snapshot(dataset, snap);
  std::vector<std::string> argv = {"zfs", "snapshot"};
  if (recursive) argv.push_back("-r");
  argv.push_back(name);
  m_zfs.check(argv);
}

std::vector<sdk::SnapshotInfo> ZfsStorage::snapshots(const std::string& dataset) {
  const std::string full = layout().full(dataset);
  // -d 1 with -t snapshot: the dataset's own snapshots, not its children's.
  const sdk::Command list{"zfs", "list", "-H", "-p", "-t", "snapshot", "-o", "name,creation,referenced,used", "-d", "1", full};
  const auto res = m_zfs.run(list);
  if (res.ok()) return parse_snapshots(res.out, full);
  if (res.err.find("invalid option 'p'") != std::string::npos) return snapshots_without_list_p(full);
  throw sdk::CommandFailed(list, res);
}

void ZfsStorage::destroy_snapshot(const std::string& dataset, const std::string& snap, bool recursive) {
  const std::string name = layout().full_snapshot(dataset, snap);
  std::vector<std::string> argv = {"zfs", "destroy"};
  if (recursive) argv.push_back("-r");
  argv.push_back(name);
  m_zfs.check(argv);
  m_props.erase(dataset);
}

void ZfsStorage::rollback(const std::string& dataset, const std::string& snap) {
  // -r destroys the later snapshots; never -R, which would destroy clones
  // of them (other jails) without asking.
  m_zfs.check({"zfs", "rollback", "-r", layout().full_snapshot(dataset, snap)});
  changed();
}

void ZfsStorage::clone(const std::string& dataset, const std::string& snap, const std::string& target,
                       const sdk::DatasetOptions& opts) {
  const std::string source = layout().full_snapshot(dataset, snap);
  const std::string full_target = layout().full(target);
  auto props = checked_options(opts);
  std::vector<std::string> argv = {"zfs", "clone"};
  if (props.count("readonly")) {
    argv.insert(argv.end(), {"-o", "readonly=" + props["readonly"]});
    props.erase("readonly");
  }
  for (const auto& [k, v] : props) argv.insert(argv.end(), {"-o", k + "=" + v});
  argv.push_back(source);
  argv.push_back(full_target);
  m_zfs.check(argv);
  const bool jailed = props.count("jailed") && props.at("jailed") == "on";
  if (!jailed && props.count("mountpoint") && props.at("mountpoint")[0] == '/') m_mountpoints[target] = props.at("mountpoint");
  changed();
  if (m_tree) m_tree->push_back({full_target, source});
}

void ZfsStorage::copy(const std::string& dataset, const std::string& target, const sdk::DatasetOptions& opts) {
  const std::string source = layout().full(dataset);
  const std::string full_target = layout().full(target);
  std::vector<std::string> options;
  for (const auto& [k, v] : checked_options(opts)) options.insert(options.end(), {"-o", k + "=" + v});
  const auto rows = split_rows(m_zfs.check({"zfs", "list", "-H", "-t", "filesystem", "-o", "name", "-r", source}).out, 1,
                               "zfs list -o name -r " + source);
  std::vector<std::string> tree_names;
  for (const auto& r : rows) {
    if (!Layout::within(r[0], source)) throw std::runtime_error("zfs list -r " + source + " listed " + r[0]);
    tree_names.push_back(r[0]);
  }
  if (tree_names.empty() || tree_names.front() != source)
    throw std::runtime_error("unexpected output of zfs list -r " + source + ": it does not start with " + source);

  // One snapshot of the whole source tree at one instant, named after the
  // target so that two copies of one release never collide.
  std::string snap = "ioc-copy-" + target;
  std::replace(snap.begin(), snap.end(), '/', '_');
  check_snapshot(snap);
  m_zfs.check({"zfs", "snapshot", "-r", source + "@" + snap});
  try {
    copy_tree(tree_names, source, full_target, snap, options);
  } catch (...) {
    // The target is the caller's to remove (it may hold more than the copy);
    // the snapshot of the source is ours.
    m_zfs.run({"zfs", "destroy", "-r", source + "@" + snap});
    changed();
    forget_tree();
    throw;
  }
  m_zfs.check({"zfs", "destroy", "-r", source + "@" + snap});
  changed();
  forget_tree();
}

void ZfsStorage::copy_tree(const std::vector<std::string>& names, const std::string& full_src, const std::string& full_dst,
                           const std::string& snap, const std::vector<std::string>& options) {
  // Not send -R: that would also carry every other snapshot of the source
  // (the clone origins of thin jails) into the copy. One plain full stream
  // per dataset, parents first, and the copy inherits its properties.
  for (size_t i = 0; i < names.size(); ++i) {
    sdk::Command send{"zfs", "send", names[i] + "@" + snap};
    sdk::Command receive{"zfs", "receive"};
    if (i == 0) receive.argv.insert(receive.argv.end(), options.begin(), options.end());
    receive.argv.push_back(full_dst + names[i].substr(full_src.size()));
    m_zfs.pipe(send, receive);
  }
  m_zfs.check({"zfs", "destroy", "-r", full_dst + "@" + snap});
}

}  // namespace iocell::plugins::zfs
