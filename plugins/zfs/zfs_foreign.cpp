// Another tool's datasets on the pool (iocage 1.x): read with one zfs get,
// and moved into the iocell tree with zfs rename (which keeps children,
// snapshots and clone relationships; zfs-rename(8)).
#include <iocell/sdk/command.hpp>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {

namespace {

const std::string& value_of(const std::map<std::string, std::string>& m, const std::string& key) {
  static const std::string none;
  auto it = m.find(key);
  return it == m.end() ? none : it->second;
}

}  // namespace

std::vector<sdk::ForeignDataset> parse_zfs_get_all(const std::string& out, const std::string& user_prefix) {
  std::map<std::string, sdk::ForeignDataset> sets;
  // The value is the last column: a value holding a tab survives.
  size_t start = 0, lineno = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    ++lineno;
    if (line.empty()) continue;
    const size_t t1 = line.find('\t');
    const size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    const size_t t3 = t2 == std::string::npos ? t2 : line.find('\t', t2 + 1);
    if (t3 == std::string::npos)
      throw std::runtime_error("zfs get printed line " + std::to_string(lineno) +
                               " without the four tab-separated columns name, source, property, value: " + line);
    const std::string name = line.substr(0, t1);
    const std::string source = line.substr(t1 + 1, t2 - t1 - 1);
    const std::string prop = line.substr(t2 + 1, t3 - t2 - 1);
    const std::string value = line.substr(t3 + 1);
    sdk::ForeignDataset& ds = sets[name];
    ds.name = name;
    const bool own = source == "local" || source == "received";
    if (prop.compare(0, user_prefix.size(), user_prefix) == 0) {
      if (own) ds.user[prop.substr(user_prefix.size())] = value;
      continue;
    }
    ds.native[prop] = value;
    ds.native_source[prop] = source;
    // With -p no quota or reservation is 0.
    if (own) ds.own[prop] = (prop == "quota" || prop == "reservation") && value == "0" ? "none" : value;
  }
  std::vector<sdk::ForeignDataset> list;
  for (auto& [name, ds] : sets) {
    const std::string& origin = value_of(ds.native, "origin");
    ds.origin = origin == "-" ? "" : origin;
    const std::string& mp = value_of(ds.native, "mountpoint");
    if (value_of(ds.native, "mounted") == "yes" && !mp.empty() && mp[0] == '/') ds.files = mp;
    list.push_back(std::move(ds));
  }
  return list;
}

std::optional<std::vector<sdk::ForeignDataset>> ZfsStorage::foreign_datasets(const std::string& top, int depth,
                                                                             const std::string& user_prefix) {
  // Every property with its source: the mountpoint is usually inherited and
  // the origin has no source at all, so -s cannot select.
  sdk::Command get{"zfs", "get", "-H", "-p", "-t", "filesystem", "-d", std::to_string(depth), "-o", "name,source,property,value",
                   "all", top};
  get.read_only = true;
  const auto res = m_zfs.run(get);
  if (!res.ok()) {
    if (dataset_missing(res)) return std::nullopt;
    throw sdk::CommandFailed(get, res);
  }
  return parse_zfs_get_all(res.out, user_prefix);
}

std::vector<sdk::Command> ZfsStorage::adopt_commands(const sdk::ForeignDataset& ds, const std::string& dataset,
                                                     const std::filesystem::path& home) {
  const std::string active = pool();
  const std::string from_pool = ds.name.substr(0, ds.name.find('/'));
  if (from_pool != active)
    throw std::runtime_error("iocell uses pool " + active + " and zfs rename cannot move " + ds.name +
                             " to another pool: run iocell activate " + from_pool + " first");
  if (value_of(ds.native, "mounted") != "yes")
    throw std::runtime_error(ds.name + " is not mounted (zfs mount " + ds.name + ", then migrate again)");
  const std::string& mp = value_of(ds.native, "mountpoint");
  if (mp.empty() || mp[0] != '/') throw std::runtime_error(ds.name + " has mountpoint " + mp + "; iocell needs its files at a path");

  const std::string target = layout().full(dataset);
  std::vector<sdk::Command> cmds = {sdk::Command{"zfs", "rename", ds.name, target}};
  const std::string& source = value_of(ds.native_source, "mountpoint");
  if (home != m_root / dataset)
    cmds.push_back(sdk::Command{"zfs", "set", "mountpoint=" + home.string(), target});
  else if (source == "local")
    cmds.push_back(sdk::Command{"zfs", "inherit", "mountpoint", target});
  else if (source == "received")  // a received value would outrank the inherited one
    cmds.push_back(sdk::Command{"zfs", "set", "mountpoint=" + home.string(), target});
  return cmds;
}

}  // namespace iocell::plugins::zfs
