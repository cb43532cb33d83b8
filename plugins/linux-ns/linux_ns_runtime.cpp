#include "linux_ns_runtime.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include <iocell/sdk/safe_root.hpp>

#include "caps.hpp"
#include "enter.hpp"
#include "fstab.hpp"
#include "launch.hpp"
#include "netns.hpp"
#include "passwd.hpp"

namespace iocell::plugins::linux_ns {

namespace {

using namespace std::chrono_literals;

std::string hostname_of(const sdk::JailSpec& spec) {
  std::string h = spec.props.get("host_hostname");
  return h.empty() || h == "none" ? spec.uuid : h;
}

bool wants_netns(const sdk::JailSpec& spec) {
  if (jail_has_own_netns(spec.props)) return true;
  for (const auto& [k, v] : spec.params)
    if (k == "netns") return true;
  return false;
}

std::chrono::milliseconds stop_timeout(const sdk::JailSpec& spec) {
  return std::chrono::seconds(spec.props.get_int("stop_timeout", 30));
}

// Processes of the jail other than its init, counted in the jail's own
// /proc (the init's working directory); zombies are already dead.
int other_processes(pid_t init) {
  const std::string dir = "/proc/" + std::to_string(init) + "/cwd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return -1;
  int count = 0;
  while (dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (n[0] < '0' || n[0] > '9' || std::strcmp(n, "1") == 0) continue;
    auto stat = slurp(dir + "/" + n + "/stat");
    if (!stat) continue;
    size_t close = stat->rfind(')');
    if (close != std::string::npos && close + 2 < stat->size() && (*stat)[close + 2] == 'Z') continue;
    ++count;
  }
  ::closedir(d);
  return count;
}

bool wait_until_alone(pid_t init, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = 1ms;
  for (;;) {
    if (other_processes(init) <= 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

// The cgroups a command entering the jail joins when the spec names none
// (an `iocell exec` does not run limits.prepare): every group of the init
// that differs from the caller's own, in the hierarchy it belongs to.
std::vector<std::filesystem::path> init_cgroup_files(pid_t init) {
  struct Mount {
    std::string dir, root;
    std::vector<std::string> opts;
    bool v2;
  };
  std::vector<Mount> mounts;
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mi, line)) {
    auto f = split_blank(line);
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 3 >= f.size() + 1 || dash < 5 || dash + 2 >= f.size()) continue;
    const std::string& type = f[dash + 1];
    if (type != "cgroup" && type != "cgroup2") continue;
    Mount m{f[4], f[3], {}, type == "cgroup2"};
    std::stringstream ss(f[dash + 3]);
    std::string o;
    while (std::getline(ss, o, ',')) m.opts.push_back(o);
    mounts.push_back(m);
  }
  auto groups = [](pid_t pid) {
    std::map<std::string, std::string> out;  // controllers -> path
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string l;
    while (std::getline(in, l)) {
      size_t a = l.find(':'), b = l.find(':', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      out[l.substr(a + 1, b - a - 1)] = l.substr(b + 1);
    }
    return out;
  };
  auto mine = groups(::getpid());
  std::vector<std::filesystem::path> files;
  for (const auto& [controllers, path] : groups(init)) {
    if (mine[controllers] == path) continue;
    for (const auto& m : mounts) {
      bool match = false;
      if (controllers.empty()) {
        match = m.v2;
      } else if (!m.v2) {
        match = true;
        std::stringstream ss(controllers);
        std::string c;
        while (std::getline(ss, c, ','))
          if (std::find(m.opts.begin(), m.opts.end(), c) == m.opts.end()) match = false;
      }
      if (!match) continue;
      std::filesystem::path rel = std::filesystem::path(path).lexically_relative(m.root.empty() ? "/" : m.root);
      if (rel.empty() || *rel.begin() == "..") continue;
      files.push_back(std::filesystem::path(m.dir) / rel / "cgroup.procs");
      break;
    }
  }
  return files;
}

}  // namespace

LinuxNsRuntime::LinuxNsRuntime(const sdk::HostContext& host)
    : m_host(host), m_records(host.root / ".run" / "linux-ns") {}

sdk::RunState LinuxNsRuntime::create(sdk::JailSpec& spec) {
  m_checked.erase(spec.name);
  const bool netns = wants_netns(spec);
  sdk::RunState state{spec.name, 0, spec.root.string(), ""};
  if (!spec.props.enabled("vnet")) {
    for (const auto& a : sdk::parse_ip_list(spec.props.get("ip4_addr")))
      state.ip4 += (state.ip4.empty() ? "" : ",") + a.address;
  }
  if (m_host.dry_run) {
    m_host.log->info("would create pid, mount, uts, ipc{} namespaces pivoted into {} with host name {}",
                     netns ? ", net" : "", spec.root.string(), hostname_of(spec));
    return state;
  }
  if (auto rec = m_records.load(spec.name); rec && record_alive(*rec))
    throw std::runtime_error("jail " + spec.name + " is already running (init pid " + std::to_string(rec->pid) + ")");

  InitPlan plan;
  plan.root.root = spec.root;
  plan.root.devices = granted_devices(spec.props);
  plan.root.hostname = hostname_of(spec);
  if (spec.props.is_set("host_domainname")) plan.root.domainname = spec.props.get("host_domainname");
  std::error_code ec;
  if (std::filesystem::exists(spec.home / "fstab", ec)) {
    auto text = slurp((spec.home / "fstab").string());
    if (!text) throw sys_error("cannot read " + (spec.home / "fstab").string());
    plan.root.fstab = parse_fstab(*text, spec.root, spec.uuid);
  }
  plan.ns_flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | (netns ? CLONE_NEWNET : 0);
  plan.hostname_settable = spec.props.enabled("allow_set_hostname");
  plan.attach_files = spec.attach_files;
  plan.caps = jail_capabilities(spec.props);
  plan.syscalls = syscall_policy(spec.props);
  plan.stop_timeout = stop_timeout(spec);

  const pid_t init = launch_init(plan);
  auto rec = describe_init(init);
  if (!rec) throw std::runtime_error("the init of " + spec.name + " (pid " + std::to_string(init) + ") vanished right after start");
  rec->root = spec.root.string();
  rec->ip4 = state.ip4;
  rec->cgroups_recorded = true;
  rec->cgroups = spec.attach_files;
  try {
    m_records.save(spec.name, *rec);
  } catch (...) {
    ::kill(init, SIGKILL);
    throw;
  }
  if (netns) spec.params.emplace_back("netns", "/proc/" + std::to_string(init) + "/ns/net");
  state.jid = init;
  m_host.log->debug("jail {} runs with init pid {}", spec.name, init);
  return state;
}

LinuxNsRuntime::Init LinuxNsRuntime::check_init(const std::string& name) {
  auto rec = m_records.load(name);
  if (!rec) return {};
  UniqueFd pidfd(open_pidfd(rec->pid));
  if (!pidfd || !record_alive(*rec)) return {};
  return {std::move(pidfd), std::move(*rec)};
}

LinuxNsRuntime::Init LinuxNsRuntime::open_init(const sdk::JailSpec& spec, const sdk::RunState& state, bool must_run) {
  Init init;
  // The pidfd state() just checked: it names that init for ever, so the
  // check need not be made twice. Taken once; any other call checks again.
  if (auto it = m_checked.find(spec.name); it != m_checked.end()) {
    init = std::move(it->second);
    m_checked.erase(it);
  } else {
    init = check_init(spec.name);
  }
  if (!init || (state.jid != 0 && init.rec.pid != state.jid)) {
    if (must_run) throw std::runtime_error("jail " + spec.name + " is not running");
    return {};
  }
  return init;
}

void LinuxNsRuntime::empty_jail(const sdk::JailSpec& spec, pid_t init, int pidfd) {
  if (other_processes(init) <= 0) return;
  if (signal_pidfd(pidfd, SIGUSR1) != 0) throw sys_error("cannot signal the init of " + spec.name);
  if (wait_until_alone(init, stop_timeout(spec))) return;
  m_host.log->debug("processes of {} outlived stop_timeout; killing them", spec.name);
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (signal_pidfd(pidfd, SIGUSR2) != 0) throw sys_error("cannot signal the init of " + spec.name);
    if (wait_until_alone(init, 100ms)) return;
  }
  throw std::runtime_error("processes of jail " + spec.name + " survive SIGKILL");
}

void LinuxNsRuntime::destroy(const sdk::JailSpec& spec, const sdk::RunState& state) {
  if (m_host.dry_run) {
    m_host.log->info("would stop the processes of {} and its init (pid {})", spec.name, state.jid);
    return;
  }
  Init init = open_init(spec, state, false);
  if (init) {
    empty_jail(spec, init.rec.pid, init.pidfd.get());
    if (signal_pidfd(init.pidfd.get(), SIGKILL) != 0 && errno != ESRCH)
      throw sys_error("cannot kill the init of " + spec.name);
    pollfd p{init.pidfd.get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) throw std::runtime_error("the init of " + spec.name + " did not exit after SIGKILL");
  }
  m_records.remove(spec.name);
}

std::vector<sdk::RunState> LinuxNsRuntime::running() {
  std::vector<sdk::RunState> out;
  for (const auto& [name, rec] : m_records.all()) {
    if (record_alive(rec)) out.push_back(sdk::RunState{name, rec.pid, rec.root, rec.ip4});
  }
  return out;
}

std::optional<sdk::RunState> LinuxNsRuntime::state(const std::string& name) {
  Init init = check_init(name);
  m_checked.erase(name);
  if (!init) return std::nullopt;
  sdk::RunState st{name, init.rec.pid, init.rec.root, init.rec.ip4};
  m_checked.emplace(name, std::move(init));
  return st;
}

void LinuxNsRuntime::kill_processes(const sdk::JailSpec& spec, const sdk::RunState& state) {
  if (m_host.dry_run) {
    m_host.log->info("would stop every process of {} but its init", spec.name);
    return;
  }
  Init init = open_init(spec, state, true);
  empty_jail(spec, init.rec.pid, init.pidfd.get());
}

void LinuxNsRuntime::set_live(const sdk::JailSpec& spec, const sdk::RunState&, const std::string& property,
                              const std::string& value) {
  // Capabilities of running processes cannot grow back; allow_* decides
  // those of every command iocell starts in the jail from now on.
  if (property == "allow_set_hostname") {
    // Who may set the hostname is fixed with the jail's UTS namespace.
    m_host.log->info("{}={} applies from the next start of {}", property, value, spec.name);
    return;
  }
  if (property.rfind("allow_", 0) == 0) {
    m_host.log->info("{}={} applies to commands started in {} from now on; running processes keep their capabilities",
                     property, value, spec.name);
    return;
  }
  throw std::runtime_error("linux-ns cannot change " + property + " of the running jail " + spec.name +
                           "; restart the jail for it to take effect");
}

void LinuxNsRuntime::check_fstab(const sdk::JailSpec& spec, const std::string& text) { parse_fstab(text, spec.root, spec.uuid); }

ProcessPlan LinuxNsRuntime::plan_for(const sdk::JailSpec& spec, const sdk::ExecRequest& req) const {
  ProcessPlan plan;
  plan.argv = req.argv;
  plan.login = req.login && req.argv.empty();
  plan.caps = jail_capabilities(spec.props);
  plan.syscalls = syscall_policy(spec.props);
  std::string flags = spec.props.get("login_flags");
  plan.login_args = split_blank(flags.empty() ? "-f root" : flags);

  if (!req.user.empty()) {
    std::vector<char> buf(16384);
    passwd pw{}, *found = nullptr;
    if (::getpwnam_r(req.user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
      throw std::runtime_error("user '" + req.user + "' does not exist on the host");
    plan.user = UserEntry{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir, pw.pw_shell};
    int n = 64;
    std::vector<gid_t> gids(static_cast<size_t>(n));
    if (::getgrouplist(pw.pw_name, pw.pw_gid, gids.data(), &n) < 0) {
      gids.resize(static_cast<size_t>(n));
      ::getgrouplist(pw.pw_name, pw.pw_gid, gids.data(), &n);
    }
    gids.resize(static_cast<size_t>(n));
    plan.groups = gids;
  } else {
    const std::string wanted = req.jail_user.empty() ? "root" : req.jail_user;
    std::string passwd_text, group_text;
    try {
      sdk::SafeRoot root(spec.root);
      root.read_file("etc/passwd", passwd_text);
      root.read_file("etc/group", group_text);
    } catch (const std::exception& e) {
      // A jail whose /etc is a symlink still lets root in; anyone else
      // must be found in files read without following the jail's links.
      if (wanted != "root") throw std::runtime_error("cannot look up '" + wanted + "' in the jail: " + e.what());
      passwd_text.clear();
      group_text.clear();
    }
    auto user = find_user(passwd_text, wanted);
    if (!user && wanted == "root") user = UserEntry{"root", 0, 0, "/root", "/bin/sh"};
    if (!user) throw std::runtime_error("user '" + wanted + "' does not exist in the jail's /etc/passwd");
    plan.user = *user;
    plan.groups = groups_of(group_text, user->name, user->gid);
  }

  std::map<std::string, std::string> env;
  const bool clean = req.login || spec.props.get("exec_clean") != "0";
  if (!clean) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv(*e);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  } else {
    env["PATH"] = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";
    if (const char* term = std::getenv("TERM")) env["TERM"] = term;
  }
  env["HOME"] = plan.user.home;
  env["SHELL"] = plan.user.shell;
  env["USER"] = plan.user.name;
  env["LOGNAME"] = plan.user.name;
  for (const auto& [k, v] : req.env) env[k] = v;
  plan.path = env.count("PATH") ? env["PATH"] : "/sbin:/bin:/usr/sbin:/usr/bin";
  for (const auto& [k, v] : env) plan.env.push_back(k + "=" + v);
  plan.cwd = req.login ? plan.user.home : "/";
  return plan;
}

sdk::CommandResult LinuxNsRuntime::exec(const sdk::JailSpec& spec, const sdk::RunState& state,
                                        const sdk::ExecRequest& req) {
  if (m_host.dry_run) {
    m_host.log->info("would run in {}: {}", spec.name, req.argv.empty() ? std::string("login") : sdk::format_argv(req.argv));
    return {};
  }
  Init init = open_init(spec, state, true);
  ProcessPlan plan = plan_for(spec, req);
  // A request that writes the console log is one of the exec_* commands,
  // which exec_timeout bounds; interactive and captured commands of users
  // run as long as they like.
  std::chrono::milliseconds timeout{0};
  if (!req.log_to.empty()) timeout = std::chrono::seconds(spec.props.get_int("exec_timeout", 60));
  std::vector<std::filesystem::path> attach = spec.attach_files;
  if (attach.empty()) attach = init.rec.cgroups_recorded ? init.rec.cgroups : init_cgroup_files(init.rec.pid);
  return run_entered(init.rec.pid, init.pidfd.get(), attach, plan, req.interactive, req.log_to, timeout);
}

sdk::CommandResult LinuxNsRuntime::chroot(const sdk::JailSpec& spec, const sdk::ExecRequest& req) {
  if (m_host.dry_run) {
    m_host.log->info("would run in fresh namespaces pivoted into {}: {}", spec.root.string(), sdk::format_argv(req.argv));
    return {};
  }
  RootSetup root;
  root.root = spec.root;
  root.hostname = hostname_of(spec);
  ProcessPlan plan = plan_for(spec, req);
  return run_fresh(root, plan, req.interactive, std::chrono::milliseconds(0));
}

sdk::oci::Runtime* LinuxNsRuntime::oci() {
  if (!m_oci) m_oci = std::make_unique<LinuxOciRuntime>(m_host);
  return m_oci.get();
}

}  // namespace iocell::plugins::linux_ns
