#include "jail_runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <iocell/sdk/freebsd_base.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/support/io.hpp>

#include "jail_devfs.hpp"
#include "jail_params.hpp"
#include "jail_parse.hpp"
#include "jail_zfs.hpp"

namespace iocell::plugins::jail {

namespace {

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

std::string describe(const sdk::Command& cmd, const sdk::CommandResult& res) { return sdk::CommandFailed(cmd, res).what(); }

// jail(8) errors that have a well-known cause get it spelled out.
std::string create_hint(const std::string& err) {
  if (contains(err, "unknown parameter: vnet"))
    return "; this kernel has no VIMAGE: set vnet=off or boot a kernel with options VIMAGE";
  if (contains(err, "unknown parameter: allow.mount."))
    return "; the file system's kernel module is not loaded (kldload it, or set the allow_mount_* property to 0)";
  if (contains(err, "unknown parameter"))
    return "; 'sysctl -N security.jail.param' lists what this kernel knows";
  if (contains(err, "already exists"))
    return "; a jail of that name is still running or dying: see 'jls -d name jid'";
  return "";
}

// The kernel-side FIB of a shared-IP jail's commands; a VNET jail's routing
// tables are its own, so setfib does not apply there.
std::vector<std::string> fib_prefix(const sdk::JailSpec& spec) {
  const std::int64_t fib = spec.props.get_int("exec_fib", 0);
  if (fib > 0 && !wants_vnet(spec)) return {"setfib", std::to_string(fib)};
  return {};
}

void append_file(const std::filesystem::path& file, const std::string& text) {
  if (text.empty()) return;
  sdk::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640));
  if (!fd) throw std::runtime_error("cannot open console log " + file.string() + ": " + std::strerror(errno));
  if (!support::write_all(fd.get(), text)) throw support::sys_error("cannot write console log " + file.string());
}

std::vector<MountEntry> read_fstab(const std::filesystem::path& home) {
  std::ifstream in(home / "fstab");
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_fstab(ss.str());
}

// "em0|10.1.1.10/24,10.1.1.11" -> "10.1.1.10,10.1.1.11"
std::string bare_addresses(const sdk::JailSpec& spec) {
  std::string out;
  for (const auto& [key, value] : spec.params) {
    if (key != "ip4.addr") continue;
    for (const auto& a : sdk::parse_ip_list(value)) out += (out.empty() ? "" : ",") + a.address;
  }
  return out;
}

// jail(8), allow.mount: "This permission is effective only if enforce_statfs
// is set to a value lower than 2" (and each allow.mount.X only with it). A
// permission that silently does nothing is refused before anything runs.
// jail_zfs=on is exempt: it lowers enforce_statfs to 1 itself.
void refuse_inert_mount_permissions(const sdk::JailSpec& spec) {
  const sdk::PropertyMap& p = spec.props;
  if (p.enabled("jail_zfs") || p.get_int("enforce_statfs", 2) < 2) return;
  std::string on;
  for (const auto& [name, value] : p.all())
    if (name.rfind("allow_mount", 0) == 0 && p.enabled(name)) on += (on.empty() ? "" : ", ") + name + "=1";
  if (on.empty()) return;
  throw std::runtime_error(on + " has no effect on jail " + spec.uuid + " at enforce_statfs=2: jail(8) makes allow.mount and "
                           "allow.mount.* effective only when enforce_statfs is below 2; set enforce_statfs=1 (the jail then "
                           "sees the mounts below its root) or turn those properties off");
}

// The devfs ruleset a jail's /dev is mounted with; 0 (no rules) would show
// it every host device, which no iocell jail gets.
int devfs_ruleset(const sdk::JailSpec& spec) {
  const int ruleset = static_cast<int>(spec.props.get_int("devfs_ruleset", 4));
  if (ruleset == 0)
    throw std::runtime_error("devfs_ruleset=0 would give jail " + spec.uuid + " every host device (/dev/mem, raw disks); set devfs_ruleset "
                             "to 4 (devfsrules_jail) or to a ruleset you made in /etc/devfs.rules");
  return ruleset;
}

std::string join_errors(const std::string& head, const std::vector<std::string>& errors) {
  std::string msg = head;
  for (const auto& e : errors) msg += "\n  " + e;
  return msg;
}

}  // namespace

void JailRuntime::warn(const std::string& msg) {
  if (m_host.log) m_host.log->warn("{}", msg);
}

sdk::RunState JailRuntime::create(sdk::JailSpec& spec) {
  const sdk::PropertyMap& p = spec.props;
  const int base = devfs_ruleset(spec);
  refuse_inert_mount_permissions(spec);
  CreateOptions opt;
  opt.vnet = wants_vnet(spec);
  const bool bpf = p.enabled("bpf") || p.enabled("dhcp");
  if (bpf && !opt.vnet)
    throw std::runtime_error("bpf=on and dhcp=on need vnet=on: in a shared-IP jail bpf(4) would see the traffic of every host interface");
  const unsigned grants = (bpf ? kGrantBpf : 0u) | (p.enabled("allow_tun") ? kGrantTun : 0u) | (p.enabled("allow_vmm") ? kGrantVmm : 0u);
  opt.devfs_ruleset = grants ? ensure_derived_ruleset(run(), {base, grants}, m_host.dry_run) : base;
  opt.zfs = p.enabled("jail_zfs");
  opt.fstab = !read_fstab(spec.home).empty();
  Delegation zfs;
  if (opt.zfs) {
    zfs = delegated_datasets(run(), spec, m_host.dry_run);
    prepare_delegation(run(), spec, zfs);
  }

  sdk::Command cmd(std::vector<std::string>{"jail", "-i", "-c"});
  for (auto& w : create_params(spec, opt)) cmd.argv.push_back(std::move(w));
  auto res = run().run(cmd);
  if (!res.ok()) throw std::runtime_error(describe(cmd, res) + create_hint(res.err));

  sdk::RunState st;
  st.name = spec.name;
  st.path = spec.root.lexically_normal().string();
  st.ip4 = opt.vnet ? "" : bare_addresses(spec);
  st.jid = (m_host.dry_run && res.out.empty()) ? 0 : parse_jid(res.out);

  // The core only undoes a create that returned: what follows is undone here.
  try {
    if (p.enabled("mount_linprocfs")) mount_linux_fs(spec, "linprocfs", "compat/linux/proc");
    if (p.enabled("mount_linsysfs")) mount_linux_fs(spec, "linsysfs", "compat/linux/sys");
    for (const auto& ds : zfs.datasets) run().check({"zfs", "jail", spec.name, ds});
    if (!zfs.datasets.empty()) {
      auto mounted = run().run({"jexec", spec.name, "zfs", "mount", "-a"});
      if (!mounted.ok()) warn("delegated datasets of " + spec.uuid + " are not mounted inside: " + mounted.err);
    }
  } catch (...) {
    try {
      destroy(spec, st);
    } catch (const std::exception& e) {
      warn("while removing the half-made jail " + spec.name + ": " + e.what());
    }
    throw;
  }
  return st;
}

void JailRuntime::mount_linux_fs(const sdk::JailSpec& spec, const char* fstype, const char* rel) {
  // Nothing runs in the jail yet, so the directory SafeRoot checked (no
  // symbolic link anywhere below the root) is the one mount(8) gets.
  if (!m_host.dry_run) sdk::SafeRoot(spec.root).make_dirs(rel);
  run().check({"mount", "-t", fstype, fstype, (spec.root / rel).lexically_normal().string()});
}

void JailRuntime::destroy(const sdk::JailSpec& spec, const sdk::RunState& /*state*/) {
  std::vector<std::string> errors;
  if (spec.props.enabled("jail_zfs")) {
    try {
      Delegation zfs = delegated_datasets(run(), spec, m_host.dry_run);
      auto um = run().run({"jexec", spec.name, "zfs", "unmount", "-a"});
      if (!um.ok()) warn("unmounting the delegated datasets inside " + spec.uuid + ": " + um.err);
      for (auto it = zfs.datasets.rbegin(); it != zfs.datasets.rend(); ++it) {
        sdk::Command unjail({"zfs", "unjail", spec.name, *it});
        auto r = run().run(unjail);
        if (!r.ok()) errors.push_back(describe(unjail, r));
      }
    } catch (const std::exception& e) {
      errors.push_back(e.what());
    }
  }

  // SIGTERM, stop.timeout seconds, then removal (jail(8) term_procs); the
  // config on stdin is the only way to give jail -r a stop.timeout.
  sdk::Command rm({"jail", "-f", "-", "-r", spec.name});
  rm.stdin_data = spec.name + " {\n\tstop.timeout = " + std::to_string(spec.props.get_int("stop_timeout", 30)) + ";\n}\n";
  auto res = run().run(rm);
  if (!res.ok() && !contains(res.err, "not found")) errors.push_back(describe(rm, res));

  unmount_all(spec, errors);
  if (!errors.empty()) throw std::runtime_error(join_errors("removing jail " + spec.name + " failed:", errors));
}

void JailRuntime::unmount_all(const sdk::JailSpec& spec, std::vector<std::string>& errors) {
  const std::filesystem::path root = spec.root.lexically_normal();
  std::set<std::string> ours;
  for (const char* rel : {"dev", "dev/fd", "proc", "compat/linux/proc", "compat/linux/sys"})
    ours.insert((root / rel).lexically_normal().string());
  for (const auto& e : read_fstab(spec.home)) {
    const std::string mp = std::filesystem::path(e.mountpoint).lexically_normal().string();
    if (mp != root.string() && !mp.empty() && mp[0] == '/') ours.insert(mp);
  }
  sdk::Command list({"mount", "-p"});
  auto res = run().run(list);
  if (!res.ok()) {
    errors.push_back(describe(list, res));
    return;
  }
  // mount -p lists in mount order: the reverse unmounts children first.
  const auto mounted = sdk::freebsd::mounted_among(res.out, std::vector<std::string>(ours.begin(), ours.end()));
  for (auto it = mounted.rbegin(); it != mounted.rend(); ++it) {
    sdk::Command um({"umount", *it});
    auto r = run().run(um);
    if (!r.ok()) errors.push_back(describe(um, r));
  }
}

std::vector<sdk::RunState> JailRuntime::running() {
  auto res = run().check({"jls", "--libxo", "json", "name", "jid", "path", "ip4.addr"});
  if (res.out.find_first_not_of(" \t\r\n") == std::string::npos) return {};  // --dry-run answers nothing
  std::vector<std::string> skipped;
  auto out = parse_jls_json(res.out, &skipped);
  for (const auto& s : skipped) warn("ignoring a jail jls describes oddly: " + s);
  return out;
}

sdk::CommandResult JailRuntime::exec(const sdk::JailSpec& spec, const sdk::RunState& /*state*/, const sdk::ExecRequest& req) {
  if (!req.user.empty() && !req.jail_user.empty())
    throw std::runtime_error("exec takes a host user (-u) or a jail user (-U), not both");
  const bool logged = !req.log_to.empty();
  sdk::Command cmd(fib_prefix(spec));
  cmd.argv.push_back("jexec");
  // exec_start and exec_stop get jail(8)'s exec.clean environment, which is
  // what jexec -l gives; a console is a login.
  if (req.login || (logged && spec.props.enabled("exec_clean"))) cmd.argv.push_back("-l");
  if (!req.user.empty()) cmd.argv.insert(cmd.argv.end(), {"-u", req.user});
  if (!req.jail_user.empty()) cmd.argv.insert(cmd.argv.end(), {"-U", req.jail_user});
  cmd.argv.push_back(spec.name);
  if (req.login && req.argv.empty()) {
    cmd.argv.push_back("login");
    for (auto& w : split_blanks(spec.props.get("login_flags"))) cmd.argv.push_back(std::move(w));
  } else {
    cmd.argv.insert(cmd.argv.end(), req.argv.begin(), req.argv.end());
  }
  cmd.env = req.env;
  cmd.interactive = req.interactive;
  const std::int64_t timeout = spec.props.get_int("exec_timeout", 0);
  if (logged && !req.interactive && timeout > 0) cmd.timeout = std::chrono::seconds(timeout);
  auto res = run().run(cmd);
  if (logged && !m_host.dry_run) append_file(req.log_to, res.out + res.err);
  return res;
}

void JailRuntime::kill_processes(const sdk::JailSpec& spec, const sdk::RunState& state) {
  const std::string jid = std::to_string(state.jid);
  // pkill(1): 0 when something was signalled, 1 when nothing matched.
  sdk::Command term({"pkill", "-j", jid});
  auto res = run().run(term);
  if (res.exit_code == 1 && !res.timed_out) return;
  if (!res.ok()) throw sdk::CommandFailed(term, res);
  if (m_host.dry_run) return;  // nothing was signalled, so nothing to wait for
  // persist keeps the jail itself alive with no process in it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(spec.props.get_int("stop_timeout", 30));
  for (;;) {
    auto left = run().run({"pgrep", "-j", jid});
    if (left.exit_code == 1) return;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  sdk::Command kill({"pkill", "-KILL", "-j", jid});
  auto killed = run().run(kill);
  if (!killed.ok() && killed.exit_code != 1) throw sdk::CommandFailed(kill, killed);
}

// jail(8) hands mount.fstab to mount(8) -F, which reads fstab(5): device,
// mount point, type and options at least, the mount point inside the jail.
void JailRuntime::check_fstab(const sdk::JailSpec& spec, const std::string& text) {
  std::istringstream in(text);
  int n = 0;
  const std::string root = spec.root.lexically_normal().string() + "/";
  for (std::string line; std::getline(in, line);) {
    ++n;
    std::istringstream words(line.substr(0, line.find('#')));
    std::vector<std::string> f;
    for (std::string w; words >> w;) f.push_back(w);
    if (f.empty()) continue;
    if (f.size() < 4) throw std::runtime_error("fstab line " + std::to_string(n) + " has " + std::to_string(f.size()) +
                                               " fields; fstab(5) needs device, mount point, type and options");
    if (std::filesystem::path(f[1]).lexically_normal().string().rfind(root, 0) != 0)
      throw std::runtime_error("fstab line " + std::to_string(n) + " mounts on " + f[1] + ", outside the jail's root " + spec.root.string());
  }
}

void JailRuntime::set_live(const sdk::JailSpec& spec, const sdk::RunState& /*state*/, const std::string& property,
                           const std::string& value) {
  if (property.rfind("allow_", 0) != 0)
    throw std::runtime_error("property " + property + " cannot change while jail " + spec.uuid + " runs; restart it");
  if (value != "0" && value != "1")
    throw std::runtime_error("invalid value '" + value + "' for " + property + ": allowed: 0 or 1");
  if (value == "1" && property.rfind("allow_mount", 0) == 0) {
    sdk::JailSpec changed = spec;
    changed.props.set(property, "1");
    refuse_inert_mount_permissions(changed);
  }
  sdk::Command cmd({"jail", "-m", "name=" + spec.name});
  if (property == "allow_sysvipc") {
    for (const char* sysv : {"sysvmsg", "sysvsem", "sysvshm"}) {
      std::string v = value == "1" ? "inherit" : spec.props.get(sysv);
      if (v.empty() || v == "inherit") v = value == "1" ? "inherit" : "new";
      cmd.argv.push_back(std::string(sysv) + "=" + v);
    }
  } else {
    cmd.argv.push_back(allow_param_name(property) + "=" + value);
  }
  run().check(cmd);
}

sdk::CommandResult JailRuntime::chroot(const sdk::JailSpec& spec, const sdk::ExecRequest& req) {
  // Not "ioc-": running() and the core must never take it for the jail itself.
  const std::string tmp = "iocell-chroot-" + spec.uuid;
  std::string host = spec.props.get("host_hostname");
  if (host.empty()) host = spec.uuid;
  const int ruleset = devfs_ruleset(spec);
  // No ip6 word: a kernel without INET6 refuses it as an unknown parameter,
  // and a new jail that is given no ip6 parameter has no IPv6 address anyway.
  // /dev as the jail has it (mount.devfs with its ruleset, jail(8)); jail -R
  // uses no configuration, so it is unmounted here afterwards.
  const std::string root = spec.root.lexically_normal().string();
  const std::string dev = root + "/dev";
  sdk::Command mk({"jail", "-c", "name=" + tmp, "path=" + root, "host.hostname=" + host, "host.hostuuid=" + spec.uuid,
                   "ip4=disable", "devfs_ruleset=" + std::to_string(ruleset), "mount.devfs", "persist"});
  auto made = run().run(mk);
  if (!made.ok()) {
    std::string hint = contains(made.err, "already exists") ? "; a previous chroot was interrupted: remove it with 'jail -R " + tmp + "'" : "";
    throw std::runtime_error(describe(mk, made) + hint);
  }
  sdk::CommandResult res;
  try {
    sdk::Command cmd(std::vector<std::string>{"jexec"});
    if (!req.user.empty()) cmd.argv.insert(cmd.argv.end(), {"-u", req.user});
    if (!req.jail_user.empty()) cmd.argv.insert(cmd.argv.end(), {"-U", req.jail_user});
    cmd.argv.push_back(tmp);
    cmd.argv.insert(cmd.argv.end(), req.argv.begin(), req.argv.end());
    cmd.env = req.env;
    cmd.interactive = req.interactive;
    res = run().run(cmd);
  } catch (...) {
    run().run({"jail", "-R", tmp});
    run().run({"umount", dev});
    throw;
  }
  run().check({"jail", "-R", tmp});
  run().check({"umount", dev});
  return res;
}

sdk::oci::Runtime* JailRuntime::oci() {
  if (!m_oci) m_oci = std::make_unique<JailOciRuntime>(m_host);
  return m_oci.get();
}

}  // namespace iocell::plugins::jail
