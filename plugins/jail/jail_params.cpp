#include "jail_params.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::jail {

namespace {

// Kernel allow.* names whose underscore is part of the name, not a level
// separator (jail(8) "allow.*" list; sys/kern/kern_jail.c pr_flag_allow).
const std::set<std::string>& underscore_names() {
  static const std::set<std::string> names = {"raw_sockets", "set_hostname", "socket_af", "reserved_ports",
                                              "read_msgbuf", "unprivileged_proc_debug",
                                              "unprivileged_parent_tampering", "vmm_ppt"};
  return names;
}

std::string value_or(const sdk::PropertyMap& props, const std::string& name, const std::string& fallback) {
  std::string v = props.get(name);
  return v.empty() ? fallback : v;
}

void add_unique(std::vector<std::string>& out, const std::string& word) {
  if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
}

}  // namespace

std::string allow_param_name(const std::string& property) {
  const std::string prefix = "allow_";
  if (property.compare(0, prefix.size(), prefix) != 0 || property.size() == prefix.size())
    throw std::invalid_argument("not an allow_* property: '" + property + "'");
  std::string rest = property.substr(prefix.size());
  if (!underscore_names().count(rest)) std::replace(rest.begin(), rest.end(), '_', '.');
  return "allow." + rest;
}

bool wants_vnet(const sdk::JailSpec& spec) {
  for (const auto& [k, v] : spec.params)
    if (k == "vnet") return v != "inherit";
  return spec.props.enabled("vnet");
}

std::vector<std::string> split_blanks(const std::string& value) {
  std::vector<std::string> out;
  std::istringstream in(value);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::vector<std::string> create_params(const sdk::JailSpec& spec, const CreateOptions& opt) {
  const sdk::PropertyMap& p = spec.props;
  std::vector<std::string> out;
  out.push_back("name=" + spec.name);
  out.push_back("host.hostname=" + value_or(p, "host_hostname", spec.uuid));
  if (p.is_set("host_domainname")) out.push_back("host.domainname=" + p.get("host_domainname"));
  out.push_back("host.hostuuid=" + spec.uuid);
  out.push_back("path=" + spec.root.lexically_normal().string());
  out.push_back("securelevel=" + value_or(p, "securelevel", "2"));
  out.push_back("devfs_ruleset=" + std::to_string(opt.devfs_ruleset));
  // Delegated datasets are mounted from inside, which needs mounts below the
  // jail's root to be visible (zfs-jail(8)).
  out.push_back("enforce_statfs=" + (opt.zfs ? std::string("1") : value_or(p, "enforce_statfs", "2")));
  out.push_back("children.max=" + value_or(p, "children_max", "0"));

  // allow.set_hostname is the one allow.* flag the kernel turns on by
  // default, so its value always goes; the others only when on. Passing
  // allow.mount.tmpfs=0 would fail `jail -c` with "unknown parameter" on a
  // host where tmpfs.ko is not loaded (module parameters, jail(8)).
  std::vector<std::string> allow;
  allow.push_back("allow.set_hostname=" + std::string(p.enabled("allow_set_hostname") ? "1" : "0"));
  bool any_mount_fs = false;
  for (const auto& [name, value] : p.all()) {
    // allow_tun is no kernel parameter: it unhides devices (jail_devfs.hpp).
    if (name.rfind("allow_", 0) != 0 || name == "allow_set_hostname" || name == "allow_sysvipc" || name == "allow_tun") continue;
    if (!p.enabled(name)) continue;
    const std::string param = allow_param_name(name);
    if (param.rfind("allow.mount.", 0) == 0) any_mount_fs = true;
    add_unique(allow, param + "=1");
  }
  if (opt.zfs) {
    add_unique(allow, "allow.mount.zfs=1");
    any_mount_fs = true;
  }
  // Every allow.mount.X is inert without allow.mount itself.
  if (any_mount_fs && std::find(allow.begin(), allow.end(), "allow.mount=1") == allow.end())
    allow.insert(allow.begin() + 1, "allow.mount=1");
  out.insert(out.end(), allow.begin(), allow.end());

  // allow.sysvipc is deprecated; it meant "inherit" for all three.
  const bool sysvipc = p.enabled("allow_sysvipc");
  for (const char* sysv : {"sysvmsg", "sysvsem", "sysvshm"})
    out.push_back(std::string(sysv) + "=" + (sysvipc ? std::string("inherit") : value_or(p, sysv, "new")));

  if (p.enabled("mount_devfs")) out.push_back("mount.devfs");
  if (p.enabled("mount_fdescfs")) out.push_back("mount.fdescfs");
  if (p.enabled("mount_procfs")) out.push_back("mount.procfs");
  if (opt.fstab) out.push_back("mount.fstab=" + (spec.home / "fstab").lexically_normal().string());
  // No exec.* or stop.timeout here: jail(8) applies them to the commands it
  // runs in the jail (exec.start, command, exec.stop) and to jail -r, and
  // `jail -c ... persist` runs none. iocell runs exec_start and exec_stop
  // itself (setfib for exec_fib, exec_timeout, jexec -l for exec_clean, the
  // console log) and gives stop.timeout to jail -r.
  out.push_back("persist");

  for (const auto& [key, value] : spec.params) {
    if (opt.vnet && (key.rfind("ip4", 0) == 0 || key.rfind("ip6", 0) == 0)) continue;
    out.push_back(value.empty() ? key : key + "=" + value);
  }
  return out;
}

}  // namespace iocell::plugins::jail
