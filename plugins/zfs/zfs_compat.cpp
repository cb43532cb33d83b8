// What an older zfs lacks and how the storage does without it. zfs-fuse
// (ZFS pool version 23, the Linux test rig of tests/integration/
// data_zfs_fuse.cpp) has no pool `comment`, no compression=lz4 and no
// `zfs list -p`. Each fallback runs only after the OpenZFS command was
// refused for exactly that reason, so a FreeBSD host runs what the
// transcripts show and nothing more (docs/storage-backends.md lists the
// differences).
#include <sstream>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {
namespace {

bool refused_for(const sdk::CommandResult& res, const std::string& reason) {
  return !res.ok() && res.err.find(reason) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

std::vector<PoolEntry> ZfsStorage::list_pools() {
  const sdk::Command cmd{"zpool", "list", "-H", "-o", "name,comment"};
  const auto res = m_zfs.run(cmd);
  if (res.ok()) return parse_pools(res.out);
  if (!refused_for(res, "invalid property 'comment'")) throw sdk::CommandFailed(cmd, res);
  // A pool without comments: none of them can be a commented iocell pool.
  const std::string names = m_zfs.check({"zpool", "list", "-H", "-o", "name"}).out;
  if (names == "no pools available\n") return {};
  std::vector<PoolEntry> pools;
  for (const auto& name : lines_of(names)) pools.push_back({name, "-"});
  return pools;
}

void ZfsStorage::create_compressed(std::vector<std::string> argv) {
  const auto res = m_zfs.run(sdk::Command(argv));
  if (res.ok()) return;
  if (!refused_for(res, "'compression' must be one of")) throw sdk::CommandFailed(sdk::Command(argv), res);
  // compression=on is lz4 wherever lz4 exists (zfsprops(7): "on" selects the
  // current default algorithm); here it is the best the pool has.
  for (auto& a : argv)
    if (a == "compression=lz4") a = "compression=on";
  m_zfs.check(sdk::Command(argv));
}

std::vector<sdk::SnapshotInfo> ZfsStorage::snapshots_without_list_p(const std::string& full) {
  const auto names = lines_of(m_zfs.check({"zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-d", "1", full}).out);
  if (names.empty()) return {};
  std::vector<std::string> argv = {"zfs", "get", "-H", "-p", "-o", "name,property,value", "creation,referenced,used"};
  argv.insert(argv.end(), names.begin(), names.end());
  // One row per snapshot and property: back into the rows of
  // `zfs list -H -p -o name,creation,referenced,used`, in the listing's order.
  std::map<std::string, std::map<std::string, std::string>> values;
  for (const auto& row : lines_of(m_zfs.check(sdk::Command(argv)).out)) {
    const auto a = row.find('\t');
    const auto b = a == std::string::npos ? a : row.find('\t', a + 1);
    if (b == std::string::npos) throw std::runtime_error("unexpected zfs get output: " + row);
    values[row.substr(0, a)][row.substr(a + 1, b - a - 1)] = row.substr(b + 1);
  }
  std::string rows;
  for (const auto& n : names) {
    auto& v = values[n];
    rows += n + "\t" + v["creation"] + "\t" + v["referenced"] + "\t" + v["used"] + "\n";
  }
  return parse_snapshots(rows, full);
}

}  // namespace iocell::plugins::zfs
