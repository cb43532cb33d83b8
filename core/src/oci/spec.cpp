#include <iocell/core/oci/spec.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include <iocell/core/errors.hpp>

namespace iocell::core::oci {

namespace {

using nlohmann::json;
namespace so = sdk::oci;

[[noreturn]] void refuse(const std::string& field, const std::string& why) { throw UsageError(field + ": " + why); }

// Fields of an object that are mapped or accepted; anything else is refused
// by name, so that a new field of the spec is never dropped unnoticed.
void only(const json& obj, const std::string& where, std::initializer_list<const char*> known) {
  if (!obj.is_object()) refuse(where, "must be an object");
  for (const auto& item : obj.items()) {
    if (item.value().is_null()) continue;
    const std::string& key = item.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
      refuse(where.empty() ? key : where + "." + key, "not supported by iocell-runtime (docs/oci-runtime.md lists what is)");
  }
}

// Empty arrays, objects and strings ask for nothing: accepted.
bool given(const json& obj, const char* key) {
  if (!obj.contains(key)) return false;
  const json& v = obj.at(key);
  if (v.is_null()) return false;
  if (v.is_array() || v.is_object() || v.is_string()) return !v.empty();
  return true;
}

std::string str(const json& obj, const char* key, const std::string& where) {
  if (!obj.contains(key) || obj.at(key).is_null()) return {};
  if (!obj.at(key).is_string()) refuse(where + "." + key, "must be a string");
  return obj.at(key).get<std::string>();
}

std::vector<std::string> strings(const json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  if (!obj.contains(key) || obj.at(key).is_null()) return out;
  if (!obj.at(key).is_array()) refuse(where + "." + key, "must be an array of strings");
  for (const auto& v : obj.at(key)) {
    if (!v.is_string()) refuse(where + "." + key, "must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::uint64_t number(const json& v, const std::string& where) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    refuse(where, "must be a non-negative integer");
  return v.get<std::uint64_t>();
}

constexpr std::array<const char*, 41> kCapabilities{
    "CAP_CHOWN",          "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",          "CAP_FSETID",
    "CAP_KILL",           "CAP_SETGID",       "CAP_SETUID",          "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",    "CAP_NET_RAW",         "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",      "CAP_SYS_MODULE",   "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",    "CAP_SYS_BOOT",        "CAP_SYS_NICE",        "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",         "CAP_LEASE",           "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",  "CAP_SETFCAP",      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",       "CAP_SYSLOG",
    "CAP_WAKE_ALARM",     "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};

struct RlimitName {
  const char* name;
  int resource;
};
const RlimitName kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},         {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},     {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_STACK", RLIMIT_STACK},
#ifdef RLIMIT_LOCKS
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},   {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
#endif
};

std::uint64_t cap_set(const json& caps, const char* key, const std::string& where) {
  std::uint64_t mask = 0;
  for (const auto& name : strings(caps, key, where)) mask |= 1ULL << capability_number(name, where + "." + key);
  return mask;
}

so::Mount parse_mount(const json& m, const std::string& where) {
  only(m, where, {"destination", "type", "source", "options", "uidMappings", "gidMappings"});
  if (given(m, "uidMappings") || given(m, "gidMappings")) refuse(where + ".uidMappings", "id-mapped mounts are not supported");
  so::Mount out{str(m, "destination", where), str(m, "type", where), str(m, "source", where), strings(m, "options", where)};
  if (out.destination.empty() || out.destination.front() != '/')
    refuse(where + ".destination", "'" + out.destination + "' must be an absolute path");
  const bool bind = out.type == "bind" || out.type == "none" ||
                    std::any_of(out.options.begin(), out.options.end(), [](const std::string& o) { return o == "bind" || o == "rbind"; });
  if (bind) {
    out.type = "bind";
    if (out.source.empty() || out.source.front() != '/') refuse(where + ".source", "'" + out.source + "' must be an absolute host path");
    return out;
  }
  const auto& types = mount_types();
  if (std::find(types.begin(), types.end(), out.type) == types.end())
    refuse(where + ".type", "'" + out.type + "' is not supported; supported: bind, proc, sysfs, tmpfs, devpts, mqueue, cgroup, cgroup2");
  return out;
}

}  // namespace

const std::vector<std::string>& namespace_types() {
  static const std::vector<std::string> v{"pid", "network", "mount", "ipc", "uts", "cgroup"};
  return v;
}

const std::vector<std::string>& mount_types() {
  static const std::vector<std::string> v{"proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2"};
  return v;
}

int capability_number(const std::string& name, const std::string& where) {
  for (std::size_t i = 0; i < kCapabilities.size(); ++i)
    if (name == kCapabilities[i]) return static_cast<int>(i);
  refuse(where, "unknown capability '" + name + "' (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE)");
}

so::Process parse_process(const json& p, const std::string& where, std::vector<std::string>& warnings) {
  only(p, where, {"terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities", "rlimits",
                  "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "selinuxLabel", "ioPriority", "scheduler"});
  so::Process out;
  if (given(p, "commandLine")) refuse(where + ".commandLine", "is for Windows hosts");
  if (given(p, "apparmorProfile")) refuse(where + ".apparmorProfile", "AppArmor is not applied by iocell-runtime");
  if (given(p, "selinuxLabel")) refuse(where + ".selinuxLabel", "SELinux is not applied by iocell-runtime");
  if (given(p, "ioPriority")) refuse(where + ".ioPriority", "not supported");
  if (given(p, "scheduler")) refuse(where + ".scheduler", "not supported");
  if (given(p, "oomScoreAdj")) warnings.push_back(where + ".oomScoreAdj is not applied");
  out.terminal = p.value("terminal", false);
  out.args = strings(p, "args", where);
  if (out.args.empty()) refuse(where + ".args", "must name the program to run");
  out.env = strings(p, "env", where);
  out.cwd = str(p, "cwd", where);
  if (out.cwd.empty()) out.cwd = "/";
  if (out.cwd.front() != '/') refuse(where + ".cwd", "'" + out.cwd + "' must be an absolute path");
  if (p.contains("user")) {
    const json& u = p.at("user");
    only(u, where + ".user", {"uid", "gid", "umask", "additionalGids", "username"});
    if (given(u, "username")) refuse(where + ".user.username", "is for Windows hosts");
    if (u.contains("uid")) out.uid = static_cast<std::uint32_t>(number(u.at("uid"), where + ".user.uid"));
    if (u.contains("gid")) out.gid = static_cast<std::uint32_t>(number(u.at("gid"), where + ".user.gid"));
    if (u.contains("umask") && !u.at("umask").is_null())
      out.umask = static_cast<std::uint32_t>(number(u.at("umask"), where + ".user.umask") & 0777);
    if (u.contains("additionalGids") && !u.at("additionalGids").is_null())
      for (const auto& g : u.at("additionalGids")) out.additional_gids.push_back(static_cast<std::uint32_t>(number(g, where + ".user.additionalGids")));
  }
  if (p.contains("capabilities") && !p.at("capabilities").is_null()) {
    const json& c = p.at("capabilities");
    const std::string w = where + ".capabilities";
    only(c, w, {"bounding", "effective", "permitted", "inheritable", "ambient"});
    out.caps_bounding = cap_set(c, "bounding", w);
    out.caps_effective = cap_set(c, "effective", w);
    out.caps_permitted = cap_set(c, "permitted", w);
    out.caps_inheritable = cap_set(c, "inheritable", w);
    out.caps_ambient = cap_set(c, "ambient", w);
  }
  if (p.contains("rlimits") && !p.at("rlimits").is_null()) {
    for (const auto& r : p.at("rlimits")) {
      const std::string w = where + ".rlimits";
      only(r, w, {"type", "soft", "hard"});
      const std::string type = str(r, "type", w);
      const auto* known = std::find_if(std::begin(kRlimits), std::end(kRlimits), [&](const RlimitName& n) { return type == n.name; });
      if (known == std::end(kRlimits)) refuse(w + ".type", "'" + type + "' is not a resource limit of this host");
      so::Rlimit lim{known->resource, number(r.value("soft", json(0)), w + ".soft"), number(r.value("hard", json(0)), w + ".hard")};
      if (lim.soft > lim.hard) refuse(w, type + ": soft limit above the hard limit");
      out.rlimits.push_back(lim);
    }
  }
  out.no_new_privileges = p.value("noNewPrivileges", false);
  return out;
}

namespace {

// linux.resources.cpu onto iocell's limits: a quota is pcpu (percent of
// one CPU), cpus the cpuset. shares is a relative weight, which no limit of
// iocell expresses: only the kernel's default (1024, what containerd's ctr
// always sends) is taken, as nothing to change.
void map_cpu(const json& cpu, std::vector<std::pair<std::string, std::string>>& limits) {
  only(cpu, "linux.resources.cpu", {"shares", "quota", "period", "cpus"});
  if (cpu.contains("shares") && !cpu.at("shares").is_null()) {
    const auto shares = cpu.at("shares").get<std::uint64_t>();
    if (shares != 0 && shares != 1024)
      refuse("linux.resources.cpu.shares", std::to_string(shares) + " is a relative weight, which iocell's limits do not express; "
             "allowed: 1024 (the default) or a quota (--cpus)");
  }
  const std::int64_t quota = cpu.contains("quota") && !cpu.at("quota").is_null() ? cpu.at("quota").get<std::int64_t>() : 0;
  if (quota > 0) {
    const std::uint64_t period = cpu.contains("period") && !cpu.at("period").is_null() ? cpu.at("period").get<std::uint64_t>() : 100000;
    if (period == 0) refuse("linux.resources.cpu.period", "must be above 0");
    const auto percent = (static_cast<std::uint64_t>(quota) * 100 + period - 1) / period;
    limits.emplace_back("pcpu", std::to_string(percent) + ":deny");
  }
  const std::string cpus = cpu.value("cpus", std::string());
  if (!cpus.empty()) limits.emplace_back("cpuset", cpus);
}

}  // namespace

ParsedSpec parse_config(const json& c, const std::string& id, const std::filesystem::path& bundle) {
  ParsedSpec out;
  auto& ct = out.container;
  ct.id = id;
  ct.bundle = bundle;
  only(c, "", {"ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks", "annotations", "linux", "freebsd"});
  const std::string version = str(c, "ociVersion", "");
  if (version.rfind("1.", 0) != 0) refuse("ociVersion", "'" + version + "' is not a 1.x runtime spec");
  if (!c.contains("root")) refuse("root", "missing: the container needs a root filesystem");
  only(c.at("root"), "root", {"path", "readonly"});
  const std::string root = str(c.at("root"), "path", "root");
  if (root.empty()) refuse("root.path", "missing");
  ct.root = std::filesystem::path(root).is_absolute() ? std::filesystem::path(root) : bundle / root;
  ct.root_readonly = c.at("root").value("readonly", false);
  if (!c.contains("process")) refuse("process", "missing: create needs the program to run");
  ct.process = parse_process(c.at("process"), "process", out.warnings);
  ct.hostname = str(c, "hostname", "");
  if (c.contains("annotations") && c.at("annotations").is_object())
    for (const auto& [k, v] : c.at("annotations").items()) {
      if (!v.is_string()) refuse("annotations." + k, "must be a string");
      out.annotations[k] = v.get<std::string>();
    }
  if (given(c, "domainname")) refuse("domainname", "not supported");
  if (given(c, "hooks")) refuse("hooks", "OCI hooks are not run by iocell-runtime");
  if (c.contains("mounts") && !c.at("mounts").is_null()) {
    std::size_t i = 0;
    for (const auto& m : c.at("mounts")) ct.mounts.push_back(parse_mount(m, "mounts[" + std::to_string(i++) + "]"));
  }
  if (c.contains("linux") && !c.at("linux").is_null()) {
    const json& l = c.at("linux");
    only(l, "linux", {"namespaces", "uidMappings", "gidMappings", "devices", "cgroupsPath", "resources", "sysctl",
                      "seccomp", "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel", "personality",
                      "intelRdt", "timeOffsets"});
    if (given(l, "uidMappings") || given(l, "gidMappings"))
      refuse(given(l, "uidMappings") ? "linux.uidMappings" : "linux.gidMappings",
             "user namespaces are not supported by iocell-runtime (run podman as root, without --userns)");
    if (given(l, "devices")) refuse("linux.devices", "extra devices are not supported (the default /dev nodes are made)");
    if (given(l, "mountLabel")) refuse("linux.mountLabel", "SELinux is not applied by iocell-runtime");
    if (given(l, "personality")) refuse("linux.personality", "not supported");
    if (given(l, "intelRdt")) refuse("linux.intelRdt", "not supported");
    if (given(l, "timeOffsets")) refuse("linux.timeOffsets", "time namespaces are not supported");
    const std::string prop = str(l, "rootfsPropagation", "linux");
    if (!prop.empty() && prop != "private" && prop != "rprivate" && prop != "slave" && prop != "rslave")
      refuse("linux.rootfsPropagation", "'" + prop + "': only private and slave propagation are supported");
    if (given(l, "seccomp"))
      out.warnings.push_back("linux.seccomp: the profile is not compiled; iocell's own jail filter applies (docs/oci-runtime.md)");
    if (l.contains("namespaces") && !l.at("namespaces").is_null()) {
      const auto& kinds = namespace_types();
      for (const auto& n : l.at("namespaces")) {
        only(n, "linux.namespaces", {"type", "path"});
        so::Namespace ns{str(n, "type", "linux.namespaces"), str(n, "path", "linux.namespaces")};
        if (ns.type == "user") refuse("linux.namespaces", "user namespaces are not supported by iocell-runtime");
        if (std::find(kinds.begin(), kinds.end(), ns.type) == kinds.end())
          refuse("linux.namespaces", "'" + ns.type + "' is not supported; supported: pid, network, mount, ipc, uts, cgroup");
        if (!ns.path.empty() && !ns.path.is_absolute()) refuse("linux.namespaces", "path '" + ns.path.string() + "' must be absolute");
        ct.namespaces.push_back(ns);
      }
    }
    ct.cgroups_path = str(l, "cgroupsPath", "linux");
    if (ct.cgroups_path.find("..") != std::string::npos) refuse("linux.cgroupsPath", "'" + ct.cgroups_path + "' may not hold '..'");
    if (!ct.cgroups_path.empty() && ct.cgroups_path.find(':') != std::string::npos)
      refuse("linux.cgroupsPath", "'" + ct.cgroups_path + "' is a systemd slice; use --cgroup-manager cgroupfs");
    ct.masked_paths = strings(l, "maskedPaths", "linux");
    ct.readonly_paths = strings(l, "readonlyPaths", "linux");
    if (l.contains("sysctl") && l.at("sysctl").is_object())
      for (const auto& [k, v] : l.at("sysctl").items()) {
        if (!v.is_string() || k.find('/') != std::string::npos || k.find("..") != std::string::npos)
          refuse("linux.sysctl." + k, "must be a string value for a plain key");
        ct.sysctl[k] = v.get<std::string>();
      }
    if (l.contains("resources") && !l.at("resources").is_null()) {
      const json& r = l.at("resources");
      only(r, "linux.resources", {"devices", "pids", "memory", "cpu"});
      if (given(r, "devices"))
        out.warnings.push_back("linux.resources.devices: no device cgroup rules are set; only the default /dev nodes exist");
      if (given(r, "pids")) {
        only(r.at("pids"), "linux.resources.pids", {"limit"});
        if (r.at("pids").contains("limit")) {
          const auto n = r.at("pids").at("limit").get<std::int64_t>();
          if (n > 0) out.limits.emplace_back("maxproc", std::to_string(n) + ":deny");
        }
      }
      if (given(r, "cpu")) map_cpu(r.at("cpu"), out.limits);
      if (given(r, "memory")) {
        only(r.at("memory"), "linux.resources.memory", {"limit", "swap", "disableOOMKiller"});
        if (given(r.at("memory"), "swap")) refuse("linux.resources.memory.swap", "not supported");
        if (r.at("memory").value("disableOOMKiller", false)) refuse("linux.resources.memory.disableOOMKiller", "not supported");
        if (r.at("memory").contains("limit")) {
          const auto n = r.at("memory").at("limit").get<std::int64_t>();
          if (n > 0) out.limits.emplace_back("memoryuse", std::to_string(n) + ":deny");
        }
      }
    }
  }
  if (c.contains("freebsd") && !c.at("freebsd").is_null()) {
    const json& f = c.at("freebsd");
    only(f, "freebsd", {"jail"});
    if (f.contains("jail")) {
      for (const auto& [k, v] : f.at("jail").items()) {
        if (v.is_string()) ct.jail_params[k] = v.get<std::string>();
        else if (v.is_boolean()) ct.jail_params[k] = v.get<bool>() ? "true" : "false";
        else if (v.is_number_integer()) ct.jail_params[k] = std::to_string(v.get<std::int64_t>());
        else refuse("freebsd.jail." + k, "must be a string, a number or a boolean");
      }
    }
  }
  return out;
}

ParsedSpec load_bundle(const std::filesystem::path& bundle, const std::string& id) {
  const auto file = bundle / "config.json";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw NotFound("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (4u << 20)) refuse(file.string(), "larger than 4 MiB");
  json config;
  try {
    config = json::parse(text.str());
  } catch (const json::exception& e) {
    refuse(file.string(), std::string("not valid JSON: ") + e.what());
  }
  return parse_config(config, id, std::filesystem::absolute(bundle).lexically_normal());
}

}  // namespace iocell::core::oci
