#include <iocell/core/oci/engine.hpp>

#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

#include <spdlog/spdlog.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/runners.hpp>

namespace iocell::core::oci {

namespace fs = std::filesystem;
namespace so = sdk::oci;
using nlohmann::json;

namespace {

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1000000000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(ns));
  return std::string(buf) + frac;
}

struct SignalName {
  const char* name;
  int number;
};
const SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},
    {"IOT", SIGABRT},  {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL},   {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},   {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},   {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO}, {"SYS", SIGSYS},
};

sdk::HostOs host_os() {
  utsname u{};
  ::uname(&u);
  return std::string(u.sysname) == "FreeBSD" ? sdk::HostOs::FreeBSD : sdk::HostOs::Linux;
}

}  // namespace

const char* to_string(so::Status s) {
  switch (s) {
    case so::Status::Created: return "created";
    case so::Status::Running: return "running";
    case so::Status::Stopped: return "stopped";
  }
  return "stopped";
}

std::optional<int> signal_number(const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    const long n = name.size() < 4 ? std::stol(name) : -1;
    if (n > 0 && n < NSIG) return static_cast<int>(n);
    return std::nullopt;
  }
  std::string n = name;
  for (auto& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (n.rfind("SIG", 0) == 0) n = n.substr(3);
  for (const auto& s : kSignals)
    if (n == s.name) return s.number;
  return std::nullopt;
}

Engine::Engine(fs::path state_root) : m_states(std::move(state_root)) {
  m_runner = std::make_unique<PosixRunner>();
  m_host.os = host_os();
  m_host.root = fs::absolute(m_states.dir()).lexically_normal();
  m_host.runner = m_runner.get();
  // Plugins log through this; the runtime's own errors go to --log.
  m_host.log = std::make_shared<spdlog::logger>("iocell-runtime");
}

Engine::~Engine() = default;

so::Runtime& Engine::runtime() {
  if (m_runtime) return *m_runtime->oci();
  if (!m_plugins) {
    m_plugins = std::make_unique<PluginManager>();
    std::error_code ec;
    fs::create_directories(m_host.root, ec);
    m_plugins->discover(PluginManager::search_path(), m_host.root / ".plugin-index");
  }
  for (const auto& name : m_plugins->names(ComponentKind::Runtime, m_host.os)) {
    auto rt = m_plugins->make<sdk::Runtime>(ComponentKind::Runtime, name, m_host);
    if (rt && rt->oci()) {
      m_runtime = std::move(rt);
      return *m_runtime->oci();
    }
  }
  throw Refused(std::string("no runtime plugin of this host (") + sdk::to_string(m_host.os) +
                ") runs OCI containers; iocell plugins lists what is installed");
}

sdk::Limits* Engine::limits() {
  if (m_limits_looked) return m_limits.get();
  m_limits_looked = true;
  runtime();  // loads the plugins
  auto names = m_plugins->names(ComponentKind::Limits, m_host.os);
  if (!names.empty()) m_limits = m_plugins->make<sdk::Limits>(ComponentKind::Limits, names.front(), m_host);
  return m_limits.get();
}

sdk::JailSpec Engine::limits_spec(const std::string& id) const {
  sdk::JailSpec spec;
  spec.uuid = id;
  spec.name = "ioc-" + id;
  spec.props.set("rlimits", "on");
  return spec;
}

void Engine::remove_limits(sdk::Limits& lim, const std::string& id) {
  for (int i = 0;; ++i) {
    try {
      lim.remove(limits_spec(id));
      return;
    } catch (const std::exception&) {
      if (i >= 100) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

std::vector<std::string> Engine::create(const std::string& id, const fs::path& bundle, const fs::path& console_socket,
                                        const fs::path& pid_file) {
  check_id(id);
  ParsedSpec parsed = load_bundle(bundle, id);
  so::Runtime& rt = runtime();
  const fs::path dir = m_states.claim(id);
  sdk::JailSpec lspec = limits_spec(id);
  sdk::Limits* lim = nullptr;
  try {
    for (const auto& [k, v] : parsed.limits) lspec.props.set(k, v);
    if (!parsed.limits.empty()) {
      lim = limits();
      if (!lim) throw Refused("linux.resources: this host has no limits plugin to apply them");
      lim->prepare(lspec);
      parsed.container.attach_files = lspec.attach_files;
    }
    so::Handle h = rt.create(parsed.container, dir, so::Console{console_socket});
    ContainerState st;
    st.id = id;
    st.handle = h;
    st.bundle = parsed.container.bundle;
    st.rootfs = parsed.container.root;
    st.created = now_rfc3339();
    st.cgroups_path = parsed.container.cgroups_path;
    st.attach_files = parsed.container.attach_files;
    st.annotations = parsed.annotations;
    try {
      if (lim) lim->apply(lspec, sdk::RunState{lspec.name, h.pid, st.rootfs.string(), ""});
      m_states.save(st);
      if (!pid_file.empty()) write_file_atomically(fs::absolute(pid_file), std::to_string(h.pid));
    } catch (...) {
      ::kill(h.pid, SIGKILL);
      throw;
    }
  } catch (...) {
    if (lim) {
      try {
        remove_limits(*lim, id);
      } catch (const std::exception&) {
        // The original error is the one to report.
      }
    }
    m_states.remove(id);
    throw;
  }
  return parsed.warnings;
}

void Engine::start(const std::string& id) {
  const ContainerState st = m_states.load(id);
  const so::Status s = runtime().status(st.handle);
  if (s != so::Status::Created)
    throw Refused("container " + id + " is " + to_string(s) + ": only a created container can be started");
  runtime().start(st.handle);
}

namespace {
fs::path paused_mark(const ContainerState& st) { return st.handle.state_dir / "paused"; }
}  // namespace

void Engine::pause(const std::string& id) {
  const ContainerState st = m_states.load(id);
  if (runtime().status(st.handle) != so::Status::Running || fs::exists(paused_mark(st)))
    throw Refused("container not running: " + id + " (only a running container can be paused)");
  write_file_atomically(paused_mark(st), "");
  runtime().kill(st.handle, SIGSTOP, true);
}

void Engine::resume(const std::string& id) {
  const ContainerState st = m_states.load(id);
  if (!fs::exists(paused_mark(st))) throw Refused("container " + id + " is not paused");
  runtime().kill(st.handle, SIGCONT, true);
  fs::remove(paused_mark(st));
}

json Engine::state(const std::string& id) {
  const ContainerState st = m_states.load(id);
  const so::Status s = runtime().status(st.handle);
  const bool paused = s == so::Status::Running && fs::exists(paused_mark(st));
  return json{{"ociVersion", "1.0.2"},
              {"id", id},
              {"status", paused ? "paused" : to_string(s)},
              {"pid", s == so::Status::Stopped ? 0 : st.handle.pid},
              {"bundle", st.bundle.string()},
              {"rootfs", st.rootfs.string()},
              {"created", st.created},
              {"owner", ""},
              {"annotations", st.annotations}};
}

void Engine::kill(const std::string& id, int signal, bool all) {
  const ContainerState st = m_states.load(id);
  if (runtime().status(st.handle) == so::Status::Stopped) throw Refused("container not running: " + id);
  runtime().kill(st.handle, signal, all);
}

void Engine::remove(const std::string& id, bool force) {
  auto found = m_states.find(id);
  if (!found) {
    if (force) return;
    throw NotFound("container " + id + " does not exist");
  }
  const ContainerState& st = *found;
  so::Status s = runtime().status(st.handle);
  if (s != so::Status::Stopped) {
    if (!force) throw Refused("container " + id + " is " + to_string(s) + ": stop it first, or delete --force");
    try {
      runtime().kill(st.handle, SIGKILL, true);
    } catch (const std::exception&) {
      // Gone in between: what follows finds it stopped.
    }
    // The kernel takes the whole pid namespace down with its first process.
    for (int i = 0; i < 1000 && runtime().status(st.handle) != so::Status::Stopped; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (runtime().status(st.handle) != so::Status::Stopped) throw std::runtime_error("container " + id + " did not stop after SIGKILL");
  }
  so::Container c;
  c.id = id;
  c.attach_files = st.attach_files;
  runtime().remove(st.handle, c);
  if (!st.attach_files.empty()) {
    if (auto* lim = limits()) remove_limits(*lim, id);
  }
  m_states.remove(id);
}

so::Runtime::ExecResult Engine::exec(const std::string& id, const so::Process& process, const fs::path& console_socket,
                                     bool detach, const fs::path& pid_file) {
  const ContainerState st = m_states.load(id);
  if (runtime().status(st.handle) != so::Status::Running) throw Refused("container not running: " + id);
  so::Container c;
  c.id = id;
  c.attach_files = st.attach_files;
  auto r = runtime().exec(st.handle, c, process, so::Console{console_socket}, detach);
  if (!pid_file.empty()) write_file_atomically(fs::absolute(pid_file), std::to_string(r.pid));
  return r;
}

so::Process Engine::process_of(const std::string& id) {
  const ContainerState st = m_states.load(id);
  return load_bundle(st.bundle, id).container.process;
}

std::vector<std::pair<ContainerState, so::Status>> Engine::containers() {
  std::vector<std::pair<ContainerState, so::Status>> out;
  for (auto& st : m_states.all()) out.emplace_back(st, runtime().status(st.handle));
  return out;
}

}  // namespace iocell::core::oci
