#include "oci_plan.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::jail {

namespace {

namespace so = sdk::oci;
namespace fs = std::filesystem;

[[noreturn]] void refuse(const std::string& field, const std::string& why) { throw std::runtime_error(field + ": " + why); }

// The freebsd.jail parameters a container may set (jail(8) "Parameters"):
// its network, System V IPC, statfs visibility, securelevel, devfs ruleset,
// child jails and the allow.* permissions. Not: name, path, persist,
// host.hostname (the runtime's own, from the bundle), exec.* (commands run
// on the host as root), mount.* (the spec's mounts do that), parent, jid,
// dying, command.
const char* const kJailParams[] = {"ip4", "ip4.addr", "ip4.saddrsel", "ip6", "ip6.addr", "ip6.saddrsel", "vnet",
                                   "host", "host.domainname", "sysvmsg", "sysvsem", "sysvshm", "enforce_statfs",
                                   "securelevel", "devfs_ruleset", "children.max", "osrelease", "osreldate"};

bool allowed_param(const std::string& key) {
  if (key.rfind("allow.", 0) == 0 && key.size() > 6)
    return std::all_of(key.begin(), key.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_'; });
  return std::find(std::begin(kJailParams), std::end(kJailParams), key) != std::end(kJailParams);
}

// limits(1) flags by resource (limits.1: -c coredumpsize, -d datasize,
// -f filesize, -l memorylocked, -m memoryuse, -n openfiles, -s stacksize,
// -t cputime, -u maxproc, -v vmemoryuse).
std::string limits_flag(int resource) {
  struct Flag {
    int resource;
    const char* flag;
  };
  static const Flag flags[] = {{RLIMIT_CORE, "-c"},  {RLIMIT_DATA, "-d"},   {RLIMIT_FSIZE, "-f"}, {RLIMIT_MEMLOCK, "-l"},
                               {RLIMIT_RSS, "-m"},   {RLIMIT_NOFILE, "-n"}, {RLIMIT_STACK, "-s"}, {RLIMIT_CPU, "-t"},
                               {RLIMIT_NPROC, "-u"}, {RLIMIT_AS, "-v"}};
  for (const auto& f : flags)
    if (f.resource == resource) return f.flag;
  refuse("process.rlimits", "resource " + std::to_string(resource) + " has no limits(1) flag on this host");
}

std::string limit_value(std::uint64_t v) {
  if (v == std::numeric_limits<std::uint64_t>::max() || v == static_cast<std::uint64_t>(RLIM_INFINITY)) return "infinity";
  return std::to_string(v);
}

std::string rel_of(const std::string& destination, std::size_t i) {
  const std::string field = "mounts[" + std::to_string(i) + "].destination";
  if (destination.empty() || destination[0] != '/') refuse(field, "'" + destination + "' is not an absolute path");
  fs::path rel = fs::path(destination).relative_path().lexically_normal();
  for (const auto& part : rel)
    if (part == "..") refuse(field, "'" + destination + "' leaves the container's root");
  std::string s = rel.string();
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.empty() || s == ".") refuse(field, "'" + destination + "' is the root itself: root.path says what it is");
  return s;
}

}  // namespace

void check_oci_container(const so::Container& c) {
  for (const auto& ns : c.namespaces)
    refuse("linux.namespaces", "a '" + ns.type + "' namespace: a FreeBSD jail has no Linux namespaces (freebsd.jail sets what the jail shares)");
  const auto& p = c.process;
  if (p.caps_bounding || p.caps_effective || p.caps_permitted || p.caps_inheritable || p.caps_ambient)
    refuse("process.capabilities", "Linux capabilities do not exist on FreeBSD; a jail's root is confined by its allow.* parameters");
  if (!c.sysctl.empty()) refuse("linux.sysctl." + c.sysctl.begin()->first, "a Linux sysctl; a jail's kernel settings are its freebsd.jail parameters");
  if (!c.masked_paths.empty()) refuse("linux.maskedPaths", "not supported by the FreeBSD runtime");
  if (!c.readonly_paths.empty()) refuse("linux.readonlyPaths", "not supported by the FreeBSD runtime");
  for (const auto& [key, value] : c.jail_params) {
    if (!allowed_param(key))
      refuse("freebsd.jail." + key, "not a parameter a container may set; allowed: allow.*, " + [] {
               std::string all;
               for (const char* k : kJailParams) all += (all.empty() ? "" : ", ") + std::string(k);
               return all;
             }());
    if (value.find_first_of("\n\0", 0, 2) != std::string::npos) refuse("freebsd.jail." + key, "a value holds a newline or NUL");
  }
  const std::string& id = c.id;
  if (id.empty() || id.find_first_not_of("0123456789") == std::string::npos || id.find('.') != std::string::npos)
    refuse("id", "'" + id + "' cannot name a jail: jail(8) takes a number for a jid and a dot for a child jail");
}

std::vector<std::string> oci_jail_create(const so::Container& c) {
  std::vector<std::string> argv = {"jail", "-c", "name=" + c.id, "path=" + c.root.string()};
  if (!c.hostname.empty()) argv.push_back("host.hostname=" + c.hostname);
  for (const auto& [key, value] : c.jail_params) argv.push_back(key + "=" + value);
  // The jail outlives the moment it has no process: between create and
  // start, and while `exec` runs after the first process ended.
  argv.push_back("persist");
  return argv;
}

std::vector<OciMount> oci_mounts(const so::Container& c, bool (*is_file)(const fs::path&)) {
  std::vector<OciMount> out;
  const std::string root = c.root.string();
  if (c.root_readonly) out.push_back({"", false, {"mount", "-t", "nullfs", "-o", "ro", root, root}});
  for (std::size_t i = 0; i < c.mounts.size(); ++i) {
    const auto& m = c.mounts[i];
    const std::string at = "mounts[" + std::to_string(i) + "]";
    const std::string rel = rel_of(m.destination, i);
    const std::string point = (c.root / rel).string();
    std::vector<std::string> opts;
    auto take = [&](std::initializer_list<const char*> known, bool keyed) {
      for (const auto& o : m.options) {
        const std::string key = o.substr(0, o.find('='));
        const bool k = std::find_if(known.begin(), known.end(), [&](const char* s) { return key == s; }) != known.end();
        if (!k) refuse(at + ".options", "'" + o + "' is not an option of a " + m.type + " mount here");
        if (!keyed && o.find('=') != std::string::npos) refuse(at + ".options", "'" + o + "' takes no value");
        opts.push_back(o);
      }
    };
    OciMount mount{rel, false, {"mount", "-t"}};
    if (m.type == "bind" || m.type == "nullfs") {
      if (m.source.empty() || m.source[0] != '/') refuse(at + ".source", "'" + m.source + "' is not an absolute host path");
      for (const auto& o : m.options) {
        // bind and rbind say what a nullfs is anyway; a nullfs sees the
        // mounts below its source as they are (mount_nullfs(8)).
        if (o == "bind" || o == "rbind" || o == "private" || o == "rprivate") continue;
        if (o != "ro" && o != "rw" && o != "nosuid" && o != "noexec")
          refuse(at + ".options", "'" + o + "' is not an option of a nullfs mount (ro, rw, nosuid, noexec)");
        opts.push_back(o);
      }
      mount.file = is_file(m.source);
      mount.argv.push_back("nullfs");
      if (!opts.empty()) {
        std::string joined;
        for (const auto& o : opts) joined += (joined.empty() ? "" : ",") + o;
        mount.argv.insert(mount.argv.end(), {"-o", joined});
      }
      mount.argv.insert(mount.argv.end(), {m.source, point});
      out.push_back(std::move(mount));
      continue;
    }
    if (m.type == "devfs") {
      // The ruleset is applied by the mount itself (mount -o ruleset=N, as
      // jail(8) mount.devfs does): no moment with every device visible.
      take({"ruleset", "ro", "rw"}, true);
      if (std::none_of(opts.begin(), opts.end(), [](const std::string& o) { return o.rfind("ruleset=", 0) == 0; }))
        opts.insert(opts.begin(), "ruleset=4");
    } else if (m.type == "tmpfs") {
      take({"ro", "rw", "nosuid", "noexec", "mode", "size", "uid", "gid", "inodes", "maxfilesize", "nonc"}, true);
    } else if (m.type == "fdescfs") {
      take({"ro", "rw", "nodup", "linrdlnk", "rdlnk"}, false);
    } else if (m.type == "procfs") {
      take({"ro", "rw", "nosuid", "noexec"}, false);
    } else {
      refuse(at + ".type", "'" + m.type + "' (at " + m.destination +
                               "): the FreeBSD runtime mounts bind/nullfs, devfs, tmpfs, fdescfs and procfs");
    }
    mount.argv.push_back(m.type);
    if (!opts.empty()) {
      std::string joined;
      for (const auto& o : opts) joined += (joined.empty() ? "" : ",") + o;
      mount.argv.insert(mount.argv.end(), {"-o", joined});
    }
    mount.argv.insert(mount.argv.end(), {m.type, point});
    out.push_back(std::move(mount));
  }
  return out;
}

std::vector<std::string> oci_process_argv(const std::string& id, const so::Process& p, const std::string& user) {
  if (p.args.empty()) refuse("process.args", "empty");
  if (p.args.front().find('=') != std::string::npos)
    refuse("process.args[0]", "'" + p.args.front() + "' holds '=': env(1) would take it for a variable");
  std::vector<std::string> argv = {"jexec"};
  if (!user.empty()) argv.insert(argv.end(), {"-U", user});
  argv.push_back(id);
  // limits(1) after the user switch: jexec -U sets the login class's limits
  // (setusercontext), which the spec's then replace.
  if (!p.rlimits.empty()) {
    argv.push_back("/usr/bin/limits");
    for (const auto& r : p.rlimits) {
      const std::string flag = limits_flag(r.resource);
      if (r.soft == r.hard) {
        argv.insert(argv.end(), {"-B", flag, limit_value(r.soft)});
      } else {
        argv.insert(argv.end(), {"-H", flag, limit_value(r.hard), "-S", flag, limit_value(r.soft)});
      }
    }
  }
  argv.insert(argv.end(), {"/usr/bin/env", "-i"});
  for (const auto& e : p.env) {
    if (e.find('=') == std::string::npos || e.front() == '=') refuse("process.env", "'" + e + "' is not NAME=value");
    argv.push_back(e);
  }
  const bool own_umask = p.umask && *p.umask != 022;
  if (p.cwd != "/" || own_umask) {
    // FreeBSD's env(1) has no -C and jexec changes to / : the shell sets
    // the directory and umask, then execs the program in its place. The
    // script is fixed; the values reach it as positional parameters.
    std::ostringstream mask;
    mask << std::oct << (p.umask ? *p.umask : 022);
    argv.insert(argv.end(), {"/bin/sh", "-c", "umask \"$1\" && cd -- \"$2\" && shift 2 && exec \"$@\"", "sh",
                             "0" + mask.str(), p.cwd});
  }
  argv.insert(argv.end(), p.args.begin(), p.args.end());
  return argv;
}

std::string oci_user_name(const so::Process& p, const std::string& passwd) {
  std::istringstream lines(passwd);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ':')) f.push_back(field);
    if (f.size() < 4 || f[0].empty() || f[0][0] == '#' || f[2] != std::to_string(p.uid)) continue;
    if (f[3] != std::to_string(p.gid))
      refuse("process.user.gid", std::to_string(p.gid) + ": jexec -U " + f[0] + " runs with that user's group " + f[3]);
    return f[0];
  }
  refuse("process.user.uid", std::to_string(p.uid) + " has no entry in the container's /etc/passwd (jexec -U takes a name)");
}

}  // namespace iocell::plugins::jail
