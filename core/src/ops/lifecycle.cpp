#include <spdlog/spdlog.h>

#include <iocell/core/ops/lifecycle.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <sstream>

#include <iocell/core/context.hpp>
#include <iocell/sdk/forwarder.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/depends.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/record.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::core {
namespace {

constexpr const char* kShellMeta = "!\"$&'()*;<>?[\\]`{|}~";

// Host hooks (exec_prestart, ...) run on the host with the environment
// jail(8) gives them.
void run_host_hook(Context& ctx, const sdk::JailSpec& spec, const std::string& prop, const std::optional<sdk::RunState>& st) {
  const std::string value = spec.props.get(prop);
  if (value.empty() || value == "none" || value == "/usr/bin/true") return;
  sdk::Command cmd(split_exec_command(value));
  cmd.env["JNAME"] = spec.name;
  cmd.env["JPATH"] = spec.root.string();
  cmd.env["IOCELL_UUID"] = spec.uuid;
  if (st) cmd.env["JID"] = std::to_string(st->jid);
  cmd.timeout = std::chrono::seconds(spec.props.get_int("exec_timeout", 60));
  auto res = ctx.runner().run(cmd);
  if (!res.ok()) throw std::runtime_error(prop + " failed" + (res.timed_out ? " (timed out)" : " (exit " + std::to_string(res.exit_code) + ")") + ": " + value + (res.err.empty() ? "" : ": " + res.err));
}

// In-jail commands (exec_start, exec_stop), logged to the console log.
void run_in_jail(Context& ctx, const sdk::JailSpec& spec, const sdk::RunState& st, const std::string& prop, bool must_succeed) {
  const std::string value = spec.props.get(prop);
  if (value.empty() || value == "none") return;
  // The defaults name FreeBSD's rc scripts; a userland without them (an
  // empty or Linux jail) has nothing to run.
  // ("/bin/sh /etc/rc.shutdown jail" as rc.d/jail has it: rc.shutdown hands
  // the word to the rc.d scripts as rc_shutdown; older configurations lack it.)
  const bool rc_default = value == "/bin/sh /etc/rc" || value == "/bin/sh /etc/rc.shutdown" || value == "/bin/sh /etc/rc.shutdown jail";
  if (rc_default && !std::filesystem::exists(spec.root / split_exec_command(value)[1].substr(1)))
    return;
  auto res = run_jail_command(ctx, spec, st, value);
  if (must_succeed && !res.ok())
    throw std::runtime_error(prop + " failed inside " + spec.uuid + " (exit " + std::to_string(res.exit_code) + "): " + value +
                             "; see " + spec.console_log.string());
}

// rdr cannot change while the jail runs (its property is LiveChange::Refused),
// so the value at stop names the forwards that start loaded.
bool has_forwards(const sdk::JailSpec& spec) {
  const std::string rdr = spec.props.get("rdr");
  return !rdr.empty() && rdr != "none";
}

void persist_after_start(Context& ctx, const JailRecord& rec, const sdk::JailSpec& spec) {
  JailRecord fresh = ctx.inventory().reload(rec);
  fresh.props["last_started"] = ctx.local_time("%F_%T");
  // Network plugins derive MACs once and hand them back: keep them stable.
  for (const auto& [k, v] : spec.props.all()) {
    if (k.size() > 4 && k.compare(k.size() - 4, 4, "_mac") == 0 && v != "none" && fresh.props[k] != v) fresh.props[k] = v;
  }
  save_config(ctx, fresh);
}

}  // namespace

std::vector<std::string> split_exec_command(const std::string& value) {
  if (value.find_first_of(kShellMeta) != std::string::npos) return {"/bin/sh", "-c", value};
  std::vector<std::string> out;
  std::istringstream ss(value);
  std::string w;
  while (ss >> w) out.push_back(w);
  return out;
}

sdk::CommandResult run_jail_command(Context& ctx, const sdk::JailSpec& spec, const sdk::RunState& state, const std::string& command) {
  sdk::ExecRequest req;
  req.argv = split_exec_command(command);
  req.log_to = spec.console_log;
  const std::string user = spec.props.get("exec_jail_user");
  if (!user.empty() && user != "root") {
    if (spec.props.enabled("exec_system_jail_user")) req.user = user;
    else req.jail_user = user;
  }
  return ctx.runtime().exec(spec, state, req);
}

std::map<std::string, sdk::RunState> running_jails(Context& ctx) {
  std::map<std::string, sdk::RunState> out;
  for (auto& st : ctx.runtime().running()) {
    if (st.name.rfind("ioc-", 0) == 0) out[st.name.substr(4)] = st;
  }
  return out;
}

std::optional<sdk::RunState> run_state(Context& ctx, const JailRecord& rec) {
  return ctx.runtime().state("ioc-" + rec.uuid);
}

namespace {

// A dependency is started and awaited before the jail that needs it; the
// admin sees it start as if named on the command line.
void start_dependencies(Context& ctx, const JailRecord& rec) {
  for (const auto& dep : dependencies_in_start_order(ctx, rec)) {
    if (start_one(ctx, dep, false) == Outcome::Done)
      ctx.out() << (ctx.dry_run() ? "would start " : "") << dep.uuid << " (" << dep.tag() << ")" << (ctx.dry_run() ? "" : " started")
                << ": " << rec.tag() << " depends on it\n";
    wait_until_healthy(ctx, dep);
  }
}

}  // namespace

Outcome start_jail(Context& ctx, const JailRecord& rec, bool force_template) {
  if (run_state(ctx, rec)) return Outcome::AlreadyThere;
  start_dependencies(ctx, rec);
  return start_one(ctx, rec, force_template);
}

Outcome start_one(Context& ctx, const JailRecord& rec_in, bool force_template) {
  FileLock lock(ctx.locks_dir() / rec_in.uuid, "jail " + rec_in.uuid);
  JailRecord rec = ctx.inventory().reload(rec_in);
  if (run_state(ctx, rec)) return Outcome::AlreadyThere;
  if (rec.is_template() && !force_template)
    throw Refused(rec.uuid + " (" + rec.tag() + ") is a template: templates are not started; clone it, or use chroot to edit it");
  sdk::JailSpec spec = ctx.inventory().spec(rec);
  const std::string want_host = spec.props.get("hostid");
  if (!want_host.empty() && want_host != "none" && !host_id(ctx).empty() && want_host != host_id(ctx))
    throw Refused("jail " + rec.uuid + " belongs to host " + want_host + ", this is " + host_id(ctx) + " (iocell set hostid=... to move it)");
  const bool vnet = spec.props.enabled("vnet");
  if (ctx.os() == sdk::HostOs::FreeBSD && vnet && !host_has_vnet(ctx))
    throw Refused("jail " + rec.uuid + " has vnet=on but this kernel has no VIMAGE (kern.features.vimage); set vnet=off or use a VIMAGE kernel");
  if (spec.props.get_int("devfs_ruleset", 4) == 0)
    throw Refused("devfs_ruleset=0 would show the jail every host device (/dev/mem, disks); set a ruleset such as 4");

  std::error_code ec;
  std::filesystem::create_directories(ctx.log_dir(), ec);
  sdk::Storage& storage = ctx.storage();
  sdk::JailType& type = ctx.jail_type(rec.get("type"));
  sdk::Network& net = ctx.network(vnet);
  sdk::Limits& limits = ctx.limits();
  sdk::Runtime& runtime = ctx.runtime();
  // Asked before anything changes: a jail with forwards on a host without
  // a forwarder is refused whole.
  sdk::PortForwarder* forwarder = has_forwards(spec) ? &ctx.forwarder() : nullptr;

  storage.mount(rec.dataset + "/root");
  resume_recording(ctx, spec);
  type.before_start(storage, spec);
  std::optional<sdk::RunState> state;
  try {
    run_host_hook(ctx, spec, "exec_prestart", std::nullopt);
    limits.prepare(spec);
    net.prepare(spec);
    state = runtime.create(spec);
    run_host_hook(ctx, spec, "exec_created", state);
    net.attach(spec, *state);
    if (forwarder) forwarder->add(spec, *state);
    limits.apply(spec, *state);
    write_resolver(ctx, spec);
    run_in_jail(ctx, spec, *state, "exec_start", true);
    run_host_hook(ctx, spec, "exec_poststart", state);
  } catch (const std::exception& e) {
    ctx.host().log->debug("start of {} failed: {}; undoing", rec.uuid, e.what());
    auto undo = [&](const char* what, auto&& fn) {
      try {
        fn();
      } catch (const std::exception& e2) {
        ctx.host().log->warn("while undoing the failed start ({}): {}", what, e2.what());
      }
    };
    if (forwarder) undo("port forwards", [&] { forwarder->remove(spec); });
    if (state) undo("network", [&] { net.detach(spec, *state); });
    if (state) undo("jail", [&] { runtime.destroy(spec, *state); });
    undo("network", [&] { net.cleanup(spec); });
    undo("limits", [&] { limits.remove(spec); });
    undo("mounts", [&] { type.after_stop(storage, spec); });
    undo("recording", [&] { suspend_recording(ctx, spec); });
    undo("storage", [&] { storage.unmount(rec.dataset + "/root"); });
    throw;
  }
  if (!ctx.dry_run()) persist_after_start(ctx, rec, spec);
  return Outcome::Done;
}

Outcome stop_jail(Context& ctx, const JailRecord& rec_in) {
  FileLock lock(ctx.locks_dir() / rec_in.uuid, "jail " + rec_in.uuid);
  JailRecord rec = ctx.inventory().reload(rec_in);
  auto state = run_state(ctx, rec);
  if (!state) return Outcome::AlreadyThere;
  sdk::JailSpec spec = ctx.inventory().spec(rec);
  sdk::Network& net = ctx.network(spec.props.enabled("vnet"));
  std::vector<std::string> errors;
  auto step = [&](const char* what, auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      errors.push_back(std::string(what) + ": " + e.what());
    }
  };
  // Every step runs even when one before failed: a stop must not leave
  // half the jail behind. The errors are reported together at the end.
  step("exec_prestop", [&] { run_host_hook(ctx, spec, "exec_prestop", state); });
  step("exec_stop", [&] { run_in_jail(ctx, spec, *state, "exec_stop", false); });
  if (has_forwards(spec)) step("port forwards", [&] { ctx.forwarder().remove(spec); });
  step("network", [&] { net.detach(spec, *state); });
  step("jail removal", [&] { ctx.runtime().destroy(spec, *state); });
  step("network cleanup", [&] { net.cleanup(spec); });
  step("limits", [&] { ctx.limits().remove(spec); });
  step("exec_poststop", [&] { run_host_hook(ctx, spec, "exec_poststop", std::nullopt); });
  step("mounts", [&] { ctx.jail_type(rec.get("type")).after_stop(ctx.storage(), spec); });
  step("recording", [&] { suspend_recording(ctx, spec); });
  step("storage", [&] { ctx.storage().unmount(rec.dataset + "/root"); });
  if (!ctx.dry_run())
    for (const auto& d : running_dependents(ctx, rec.uuid))
      ctx.host().log->warn("{} ({}) depends on {} ({}) and still runs", d.uuid, d.tag(), rec.uuid, rec.tag());
  if (!errors.empty()) {
    std::string msg = "stopping " + rec.uuid + " (" + rec.tag() + ") had errors:";
    for (const auto& e : errors) msg += "\n  " + e;
    throw std::runtime_error(msg);
  }
  return Outcome::Done;
}

void restart_jail(Context& ctx, const JailRecord& rec_in) {
  std::optional<sdk::RunState> state;
  start_dependencies(ctx, rec_in);
  {
    FileLock lock(ctx.locks_dir() / rec_in.uuid, "jail " + rec_in.uuid);
    JailRecord rec = ctx.inventory().reload(rec_in);
    state = run_state(ctx, rec);
    if (state) {
      sdk::JailSpec spec = ctx.inventory().spec(rec);
      run_in_jail(ctx, spec, *state, "exec_stop", false);
      ctx.runtime().kill_processes(spec, *state);
      run_in_jail(ctx, spec, *state, "exec_start", true);
      persist_after_start(ctx, rec, spec);
      return;
    }
  }
  start_one(ctx, rec_in);
}

int exec_in_jail(Context& ctx, const JailRecord& rec, const sdk::ExecRequest& req) {
  auto state = run_state(ctx, rec);
  if (!state) throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is not running; start it first");
  sdk::JailSpec spec = ctx.inventory().spec(rec);
  return ctx.runtime().exec(spec, *state, req).exit_code;
}

int console(Context& ctx, const JailRecord& rec) {
  sdk::ExecRequest req;
  req.interactive = true;
  req.login = true;
  return exec_in_jail(ctx, rec, req);
}

StoppedRootMount::StoppedRootMount(Context& ctx, const JailRecord& rec) : m_ctx(ctx), m_dataset(rec.dataset + "/root") {
  if (ctx.storage().mounted(m_dataset)) return;
  ctx.storage().mount(m_dataset);
  m_mounted = true;
}

StoppedRootMount::~StoppedRootMount() {
  if (!m_mounted) return;
  try {
    m_ctx.storage().unmount(m_dataset);
  } catch (const std::exception& e) {
    m_ctx.host().log->warn("{}", e.what());
  }
}

int chroot_jail(Context& ctx, const JailRecord& rec, std::vector<std::string> argv) {
  if (run_state(ctx, rec)) throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is running; use iocell exec or console");
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  sdk::JailSpec spec = ctx.inventory().spec(rec);
  if (argv.empty()) argv = {"/bin/sh"};
  sdk::ExecRequest req;
  req.argv = std::move(argv);
  req.interactive = true;
  sdk::Storage& storage = ctx.storage();
  sdk::JailType& type = ctx.jail_type(rec.get("type"));
  storage.mount(rec.dataset + "/root");
  resume_recording(ctx, spec);
  type.before_start(storage, spec);
  int rc = 1;
  try {
    rc = ctx.runtime().chroot(spec, req).exit_code;
  } catch (...) {
    type.after_stop(storage, spec);
    suspend_recording(ctx, spec);
    storage.unmount(rec.dataset + "/root");
    throw;
  }
  type.after_stop(storage, spec);
  suspend_recording(ctx, spec);
  storage.unmount(rec.dataset + "/root");
  return rc;
}

}  // namespace iocell::core
