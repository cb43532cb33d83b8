#include "oci_runtime.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <iocell/sdk/freebsd_base.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/support/io.hpp>

#include "oci_plan.hpp"
#include "oci_terminal.hpp"

namespace iocell::plugins::jail {

namespace {

namespace so = sdk::oci;
namespace fs = std::filesystem;

constexpr const char* kFifo = "exec.fifo";
// The jail's name, kept beside the core's state: the handle has none.
constexpr const char* kNameFile = "jail.name";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  const auto first = s.find_first_not_of(" \t\n");
  return first == std::string::npos ? std::string() : s.substr(first);
}

bool is_regular_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// A process of the container on the terminal `tty` (process.terminal).
sdk::Command on_terminal(const std::vector<std::string>& argv, const sdk::UniqueFd& tty) {
  sdk::Command cmd(argv);
  cmd.stdin_fd = cmd.stdout_fd = cmd.stderr_fd = tty.get();
  cmd.terminal_session = true;
  return cmd;
}

}  // namespace

std::string JailOciRuntime::user_of(const so::Container& c, const so::Process& p) {
  if (p.uid == 0) {
    if (p.gid != 0) throw std::runtime_error("process.user.gid: " + std::to_string(p.gid) + ": root runs with group 0 here");
    return "";
  }
  std::string passwd;
  if (!sdk::SafeRoot(c.root).read_file("etc/passwd", passwd))
    throw std::runtime_error("process.user.uid: " + std::to_string(p.uid) + ": the container has no /etc/passwd to name it");
  return oci_user_name(p, passwd);
}

std::string JailOciRuntime::jid_of(const std::string& name) {
  sdk::Command cmd({"jls", "-j", name, "jid"});
  cmd.read_only = true;
  auto res = run().run(cmd);
  return res.ok() ? trimmed(res.out) : std::string();
}

std::string JailOciRuntime::name_of(const so::Handle& h) {
  std::ifstream in(h.state_dir / kNameFile);
  std::string name;
  if (!std::getline(in, name) || name.empty()) throw std::runtime_error("no jail recorded in " + h.state_dir.string());
  return name;
}

so::Handle JailOciRuntime::create(const so::Container& c, const fs::path& state_dir, const so::Console& console) {
  check_oci_container(c);
  if (c.process.terminal) require_console_socket(console.socket);
  const auto argv = oci_process_argv(c.id, c.process, user_of(c, c.process));
  const auto mounts = oci_mounts(c, &is_regular_file);
  const sdk::SafeRoot root(c.root);
  // Mount points are made through the root without following a symbolic
  // link (nothing runs in the container yet, so they stay what was checked).
  auto make_point = [&](const OciMount& m) {
    if (m_host.dry_run || m.rel.empty()) return;
    if (!m.file) return root.make_dirs(m.rel);
    if (m.rel.has_parent_path()) root.make_dirs(m.rel.parent_path());
    std::string ignored;
    if (!root.read_file(m.rel, ignored)) root.write_file(m.rel, "");
  };
  // Under a read-only root they must exist before it is mounted.
  if (c.root_readonly)
    for (const auto& m : mounts) make_point(m);

  std::vector<std::string> mounted;
  bool jailed = false;
  const fs::path fifo = state_dir / kFifo;
  try {
    for (const auto& m : mounts) {
      if (!c.root_readonly) make_point(m);
      run().check(m.argv);
      mounted.push_back(m.argv.back());
    }
    run().check(oci_jail_create(c));
    jailed = true;
    std::ofstream(state_dir / kNameFile) << c.id << "\n";
    if (::mkfifo(fifo.c_str(), 0600) != 0) throw support::sys_error("cannot make " + fifo.string());
    so::Handle h;
    sdk::UniqueFd tty;
    if (c.process.terminal) tty = terminal_for(console.socket);
    sdk::Command first = c.process.terminal ? on_terminal(argv, tty) : sdk::Command(argv);
    first.start_gate = fifo.string();
    h.pid = run().spawn(first);
    h.state_dir = state_dir;
    return h;
  } catch (...) {
    ::unlink(fifo.c_str());
    if (jailed) run().run({"jail", "-r", c.id});
    for (auto it = mounted.rbegin(); it != mounted.rend(); ++it) run().run({"umount", *it});
    throw;
  }
}

void JailOciRuntime::start(const so::Handle& h) {
  const fs::path fifo = h.state_dir / kFifo;
  sdk::UniqueFd fd(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw std::runtime_error("the container was started already");
    if (errno == ENXIO) throw std::runtime_error("the container's process is gone: it cannot start");
    throw support::sys_error("cannot open " + fifo.string());
  }
  if (::write(fd.get(), "0", 1) != 1) throw support::sys_error("cannot start the container");
  ::unlink(fifo.c_str());
}

so::Status JailOciRuntime::status(const so::Handle& h) {
  const std::string jid = jid_of(name_of(h));
  if (jid.empty() || h.pid <= 0) return so::Status::Stopped;
  sdk::Command ps({"ps", "-o", "jid=,state=", "-p", std::to_string(h.pid)});
  ps.read_only = true;
  auto res = run().run(ps);
  std::istringstream words(res.out);
  std::string pid_jid, state;
  if (!res.ok() || !(words >> pid_jid >> state) || state[0] == 'Z') return so::Status::Stopped;
  // Before start the first process waits outside the jail; after, a pid
  // outside this jail is another process that took the number.
  if (fs::exists(h.state_dir / kFifo)) return so::Status::Created;
  return pid_jid == jid ? so::Status::Running : so::Status::Stopped;
}

void JailOciRuntime::kill(const so::Handle& h, int signal, bool all) {
  if (status(h) == so::Status::Stopped) throw std::runtime_error("the container is not running");
  const std::string sig = "-" + std::to_string(signal);
  if (all) {
    // pkill exits 1 when no process matched: the first may be all there is.
    sdk::Command pkill({"pkill", sig, "-j", jid_of(name_of(h))});
    auto res = run().run(pkill);
    if (res.exit_code > 1) throw sdk::CommandFailed(pkill, res);
  }
  run().check({"kill", sig, std::to_string(h.pid)});
}

JailOciRuntime::ExecResult JailOciRuntime::exec(const so::Handle& h, const so::Container& c, const so::Process& p,
                                                const so::Console& console, bool detach) {
  if (p.terminal) require_console_socket(console.socket);
  if (p.caps_bounding || p.caps_effective || p.caps_permitted || p.caps_inheritable || p.caps_ambient)
    throw std::runtime_error("process.capabilities: Linux capabilities do not exist on FreeBSD");
  const auto argv = oci_process_argv(name_of(h), p, user_of(c, p));
  if (status(h) != so::Status::Running) throw std::runtime_error("the container is not running");
  ExecResult out;
  if (p.terminal) {
    {
      const sdk::UniqueFd tty = terminal_for(console.socket);
      out.pid = run().spawn(on_terminal(argv, tty));
    }  // only the process holds its terminal now
    if (detach) return out;
    int st = 0;
    while (::waitpid(out.pid, &st, 0) < 0)
      if (errno != EINTR) throw support::sys_error("waitpid");
    out.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return out;
  }
  if (detach) {
    out.pid = run().spawn(sdk::Command(argv));
    return out;
  }
  sdk::Command cmd(argv);
  cmd.interactive = true;
  out.status = run().run(cmd).exit_code;
  return out;
}

void JailOciRuntime::remove(const so::Handle& h, const so::Container& c) {
  std::vector<std::string> errors;
  const std::string name = c.id;
  if (!jid_of(name).empty()) {
    sdk::Command rm({"jail", "-r", name});
    auto res = run().run(rm);
    if (!res.ok()) errors.push_back(sdk::CommandFailed(rm, res).what());
  }
  std::vector<std::string> points;
  for (const auto& m : oci_mounts(c, &is_regular_file)) points.push_back(m.argv.back());
  sdk::Command list({"mount", "-p"});
  list.read_only = true;
  auto res = run().run(list);
  if (!res.ok()) {
    errors.push_back(sdk::CommandFailed(list, res).what());
  } else {
    // mount -p lists in mount order: the reverse unmounts children first.
    const auto mounted = sdk::freebsd::mounted_among(res.out, points);
    for (auto it = mounted.rbegin(); it != mounted.rend(); ++it) {
      sdk::Command um({"umount", *it});
      auto r = run().run(um);
      if (!r.ok()) errors.push_back(sdk::CommandFailed(um, r).what());
    }
  }
  ::unlink((h.state_dir / kFifo).c_str());
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "; ") + e;
    throw std::runtime_error(all);
  }
  ::unlink((h.state_dir / kNameFile).c_str());
}

}  // namespace iocell::plugins::jail
