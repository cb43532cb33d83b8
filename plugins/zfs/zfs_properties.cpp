// Native properties and space accounting (zfs-set(8), zfs-get(8),
// zfs-inherit(8), zfsprops(7)).
#include <stdexcept>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {

const std::map<std::string, std::string>& ZfsStorage::properties(const std::string& dataset) {
  auto it = m_props.find(dataset);
  if (it != m_props.end()) return it->second;
  const std::string full = layout().full(dataset);
  // Every property get_property can report, in one call: `iocell get all`
  // asks for most of them in a row. Without -p: these values are shown to
  // people ("4G", "none", "1.52x"), as zfs get shows them.
  std::string list = readable_list();
  for (size_t pos = list.find(", "); pos != std::string::npos; pos = list.find(", ", pos)) list.replace(pos, 2, ",");
  const auto res = m_zfs.check({"zfs", "get", "-H", "-o", "property,value", list, full});
  std::map<std::string, std::string> values;
  for (auto& [k, v] : parse_properties(res.out)) values[k] = v;
  return m_props[dataset] = std::move(values);
}

std::string ZfsStorage::get_property(const std::string& dataset, const std::string& prop) {
  if (!readable_property(prop))
    throw std::invalid_argument("the zfs storage does not report property '" + prop + "' (it reports: " + readable_list() + ")");
  const auto& values = properties(dataset);
  auto it = values.find(prop);
  return it == values.end() ? "-" : it->second;
}

void ZfsStorage::set_property(const std::string& dataset, const std::string& prop, const std::string& value) {
  check_value(prop, value);
  const std::string full = layout().full(dataset);
  if (prop == "mountpoint") {
    set_mountpoint(dataset, value);
  } else {
    m_zfs.check({"zfs", "set", prop + "=" + value, full});
  }
  changed();
}

void ZfsStorage::set_mountpoint(const std::string& dataset, const std::string& value) {
  const std::string full = layout().full(dataset);
  const auto& props = properties(dataset);
  const bool jailed = props.count("jailed") && props.at("jailed") == "on";
  if (jailed) {
    // zfs refuses mountpoint on a jailed dataset from the host, so it is
    // unjailed for the change. With canmount=on, setting the mountpoint of
    // an unjailed dataset mounts it there on the host (libzfs_changelist.c
    // changelist_postfix): a jail's data over a host path. canmount=noauto
    // first prevents that; a failure half-way leaves the dataset unmounted.
    const std::string canmount = props.count("canmount") ? props.at("canmount") : "on";
    m_zfs.check({"zfs", "set", "canmount=noauto", full});
    m_zfs.check({"zfs", "set", "jailed=off", full});
    m_zfs.check({"zfs", "set", "mountpoint=" + value, full});
    m_zfs.check({"zfs", "set", "jailed=on", full});
    if (canmount != "noauto") m_zfs.check({"zfs", "set", "canmount=" + canmount, full});
    return;
  }
  // Back to where the parent puts it (hack88=0): inherit, so that the
  // dataset follows its parent again instead of keeping a copied path.
  const auto slash = dataset.rfind('/');
  const auto inherited = mountpoint(slash == std::string::npos ? std::string() : dataset.substr(0, slash)) /
                         (slash == std::string::npos ? dataset : dataset.substr(slash + 1));
  if (value == inherited.string()) {
    m_zfs.check({"zfs", "inherit", "mountpoint", full});
    m_mountpoints.erase(dataset);
    return;
  }
  m_zfs.check({"zfs", "set", "mountpoint=" + value, full});
  if (value[0] == '/') m_mountpoints[dataset] = value;
  else m_mountpoints.erase(dataset);
}

sdk::SpaceUsage ZfsStorage::usage(const std::string& dataset) {
  const auto res = m_zfs.check(
      {"zfs", "list", "-H", "-p", "-o", "used,available,referenced,quota,reservation,compressratio", layout().full(dataset)});
  return parse_usage(res.out);
}

}  // namespace iocell::plugins::zfs
