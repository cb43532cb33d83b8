#include "jail_zfs.hpp"

#include <regex>
#include <stdexcept>

namespace iocell::plugins::jail {

namespace {

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

void check_name(const std::string& ds) {
  static const std::regex re("^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9_.:-]+)*$");
  if (!std::regex_match(ds, re))
    throw std::runtime_error("invalid dataset '" + ds + "' in jail_zfs_dataset: allowed: ZFS filesystem names such as tank/data "
                             "(no snapshots, no leading '/')");
}

}  // namespace

Delegation delegated_datasets(sdk::CommandRunner& run, const sdk::JailSpec& spec, bool dry_run) {
  std::vector<std::string> items;
  std::string cur;
  for (char c : spec.props.get("jail_zfs_dataset") + " ") {
    if (c == ' ' || c == ',' || c == '\t') {
      if (!cur.empty() && cur != "none") items.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  std::string jail_ds;
  auto jail_dataset = [&]() -> const std::string& {
    if (jail_ds.empty()) {
      // zfs(8) takes a mount point where it takes a filesystem name.
      jail_ds = first_line(run.check({"zfs", "list", "-H", "-o", "name", spec.home.lexically_normal().string()}).out);
      if (jail_ds.empty() && dry_run) jail_ds = "POOL/iocell/" + spec.dataset;
      if (jail_ds.empty()) throw std::runtime_error("no ZFS dataset is mounted at " + spec.home.string() + ": jail_zfs needs ZFS storage");
    }
    return jail_ds;
  };
  Delegation d;
  if (items.empty()) {
    d.default_dataset = jail_dataset() + "/data";
    d.datasets.push_back(d.default_dataset);
    return d;
  }
  for (auto& ds : items) {
    if (ds.rfind("iocell/", 0) == 0) ds = jail_dataset().substr(0, jail_dataset().find('/')) + "/" + ds;
    check_name(ds);
    d.datasets.push_back(ds);
  }
  return d;
}

void prepare_delegation(sdk::CommandRunner& run, const sdk::JailSpec& spec, const Delegation& d) {
  for (const auto& ds : d.datasets) {
    auto res = run.run({"zfs", "get", "-H", "-o", "value", "jailed", ds});
    if (res.ok()) {
      if (first_line(res.out) != "on") run.check({"zfs", "set", "jailed=on", ds});
      continue;
    }
    if (ds == d.default_dataset && res.err.find("does not exist") != std::string::npos) {
      const std::string mp = spec.props.is_set("jail_zfs_mountpoint") ? spec.props.get("jail_zfs_mountpoint") : "none";
      run.check({"zfs", "create", "-o", "jailed=on", "-o", "mountpoint=" + mp, ds});
      continue;
    }
    throw std::runtime_error("cannot delegate " + ds + " (jail_zfs_dataset): " + first_line(res.err) +
                             "; create it first, for example: zfs create -o jailed=on " + ds);
  }
}

}  // namespace iocell::plugins::jail
