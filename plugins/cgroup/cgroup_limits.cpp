#include "cgroup_limits.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

namespace iocell::plugins::cgroup {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_trimmed(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void write_control(const fs::path& file, const std::string& value) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    throw std::runtime_error("cannot set " + file.string() + " to " + value + ": " + std::strerror(n < 0 ? err : EIO));
}

struct Record {
  std::vector<std::pair<std::string, std::string>> groups;  // mount, dir
  std::vector<std::pair<std::string, bool>> rules;           // text, enforced
};

Record load(const fs::path& file) {
  Record r;
  std::ifstream in(file);
  std::string kind, a, b;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    ls >> kind >> a >> b;
    if (kind == "group") r.groups.emplace_back(a, b);
    else if (kind == "rule") r.rules.emplace_back(a, b == "1");
  }
  return r;
}

void save(const fs::path& file, const Record& r) {
  std::error_code ec;
  if (r.groups.empty() && r.rules.empty()) {
    fs::remove(file, ec);
    return;
  }
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [m, d] : r.groups) out << "group " << m << " " << d << "\n";
    for (const auto& [t, e] : r.rules) out << "rule " << t << " " << (e ? 1 : 0) << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file, ec);
  if (ec) throw std::runtime_error("cannot write " + file.string() + ": " + ec.message());
}

// mkdir one level; a v1 cpuset group starts with no CPU and no memory node
// (nothing could join it), so it inherits its parent's.
void make_group(const Hierarchy& h, const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) return;
    throw std::runtime_error("cannot create cgroup " + dir.string() + ": " + std::strerror(errno));
  }
  if (!h.v2 && h.has("cpuset")) {
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
      auto parent = read_trimmed(dir.parent_path() / f);
      if (parent && !parent->empty()) write_control(dir / f, *parent);
    }
  }
}

void enable_v2_controllers(const fs::path& dir) {
  auto offered = read_trimmed(dir / "cgroup.controllers");
  if (!offered) return;
  std::istringstream ss(*offered);
  std::string c;
  std::string wanted;
  while (ss >> c) {
    if (std::find(wanted_controllers().begin(), wanted_controllers().end(), c) != wanted_controllers().end())
      wanted += (wanted.empty() ? "+" : " +") + c;
  }
  if (!wanted.empty()) write_control(dir / "cgroup.subtree_control", wanted);
}

// Zombies stay listed in a v1 group until their parent reaps them (the
// jail's init is reaped by the host's init, a moment after it died).
bool has_live_processes(const fs::path& dir) {
  std::ifstream procs(dir / "cgroup.procs");
  std::string pid;
  while (procs >> pid) {
    auto stat = read_trimmed("/proc/" + pid + "/stat");
    if (!stat) continue;
    size_t close = stat->rfind(')');
    if (close == std::string::npos || close + 2 >= stat->size() || (*stat)[close + 2] != 'Z') return true;
  }
  return false;
}

}  // namespace

const Layout& CgroupLimits::layout() {
  if (!m_layout) m_layout = host_layout();
  return *m_layout;
}

void CgroupLimits::prepare(sdk::JailSpec& spec) {
  const auto used = layout().used();
  if (used.empty()) {
    m_host.log->warn("this host offers no cgroup controller: limits of {} cannot be enforced", spec.uuid);
    return;
  }
  Record rec;
  for (const Hierarchy* h : used) {
    const fs::path dir = jail_group(*h, spec.uuid);
    spec.attach_files.push_back(dir / "cgroup.procs");
    rec.groups.emplace_back(h->mount.string(), dir.string());
    if (m_host.dry_run) {
      m_host.log->info("would create cgroup {}", dir.string());
      continue;
    }
    // Walk down from the top of the hierarchy, creating what is missing.
    fs::path at = h->mount;
    const fs::path rel = dir.lexically_relative(h->mount);
    for (const auto& part : rel) {
      if (h->v2) enable_v2_controllers(at);
      at /= part;
      make_group(*h, at);
    }
  }
  if (!m_host.dry_run) save(record(spec), rec);
}

CgroupLimits::JailGroups CgroupLimits::groups(const sdk::JailSpec& spec, const sdk::RunState* state) {
  JailGroups out;
  const std::string leaf = "ioc-" + spec.uuid;
  auto assign = [&](const Hierarchy& h, const fs::path& dir) {
    if (std::find(out.dirs.begin(), out.dirs.end(), dir) == out.dirs.end()) out.dirs.push_back(dir);
    for (const auto& c : wanted_controllers())
      if (layout().serving(c) == &h) out.by_controller[c] = dir;
  };
  // A running jail's groups are where its init is.
  if (state && state->jid > 0) {
    std::ifstream in("/proc/" + std::to_string(state->jid) + "/cgroup");
    std::string line;
    while (std::getline(in, line)) {
      size_t a = line.find(':'), b = line.find(':', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      const fs::path path = line.substr(b + 1);
      if (path.filename() != leaf) continue;
      std::istringstream cs(line.substr(a + 1, b - a - 1));
      std::vector<std::string> ctrls;
      std::string c;
      while (std::getline(cs, c, ',')) ctrls.push_back(c);
      for (const auto& h : layout().hierarchies) {
        const bool match = h.v2 ? ctrls.empty() : std::all_of(h.controllers.begin(), h.controllers.end(), [&](const std::string& x) {
          return std::find(ctrls.begin(), ctrls.end(), x) != ctrls.end();
        });
        if (!match) continue;
        assign(h, (h.mount / path.lexically_relative(h.mount_root)).lexically_normal());
      }
    }
    if (!out.dirs.empty()) return out;
  }
  const Record rec = load(record(spec));
  for (const auto& h : layout().hierarchies) {
    fs::path dir;
    for (const auto& [m, d] : rec.groups)
      if (m == h.mount.string() && fs::path(d).filename() == leaf) dir = d;
    if (dir.empty()) dir = jail_group(h, spec.uuid);
    std::error_code ec;
    if (fs::is_directory(dir, ec)) assign(h, dir);
  }
  return out;
}

PlanContext CgroupLimits::plan_context(const std::map<std::string, fs::path>& g) {
  PlanContext ctx;
  ctx.available = [&g](const std::string& c) { return g.count(c) != 0; };
  const Layout& l = layout();
  ctx.v2 = [&l](const std::string& c) {
    const Hierarchy* h = l.serving(c);
    return h && h->v2;
  };
  std::error_code ec;
  if (auto it = g.find("memory"); it != g.end()) {
    ctx.v1_memsw = fs::exists(it->second / "memory.memsw.limit_in_bytes", ec);
    ctx.v2_swap = fs::exists(it->second / "memory.swap.max", ec);
  }
  if (auto it = g.find("cpuset"); it != g.end()) {
    const bool v2 = ctx.v2("cpuset");
    auto parent = read_trimmed(it->second.parent_path() / (v2 ? "cpuset.cpus.effective" : "cpuset.cpus"));
    if (parent) {
      ctx.all_cpus = *parent;
      try {
        ctx.online = parse_cpu_list(*parent);
      } catch (const std::exception&) {
        ctx.online.clear();
      }
    }
  }
  return ctx;
}

std::string CgroupLimits::refuses(const sdk::JailSpec& spec) {
  // The hierarchies say which controllers a jail would get; the CPUs and v2
  // swap accounting are read from its groups at start, which do not exist
  // yet: the core checks the CPUs against the host's.
  const Layout& l = layout();
  PlanContext ctx;
  ctx.available = [&l](const std::string& c) { return l.serving(c) != nullptr; };
  ctx.v2 = [&l](const std::string& c) {
    const Hierarchy* h = l.serving(c);
    return h && h->v2;
  };
  std::error_code ec;
  const Hierarchy* memory = l.serving("memory");
  ctx.v1_memsw = memory && !memory->v2 && fs::exists(memory->mount / "memory.memsw.limit_in_bytes", ec);
  ctx.v2_swap = memory && memory->v2;
  sdk::PropertyMap props = spec.props;
  props.set("rlimits", "on");
  try {
    plan_limits(props, ctx);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

void CgroupLimits::apply(const sdk::JailSpec& spec, const sdk::RunState& state) {
  auto g = groups(spec, &state).by_controller;
  PlanContext ctx = plan_context(g);
  const LimitPlan plan = plan_limits(spec.props, ctx);
  if (m_host.dry_run) {
    for (const auto& w : plan.writes) m_host.log->info("would write {} to {}", w.value, (g[w.controller] / w.file).string());
    return;
  }
  for (const auto& w : plan.writes) write_control(g.at(w.controller) / w.file, w.value);
  Record rec = load(record(spec));
  rec.rules.clear();
  for (const auto& r : plan.rules) rec.rules.emplace_back(r.text(), r.enforced);
  save(record(spec), rec);
}

void CgroupLimits::remove(const sdk::JailSpec& spec) {
  if (m_host.dry_run) {
    m_host.log->info("would reset and remove the cgroups of {}", spec.uuid);
    return;
  }
  const JailGroups jg = groups(spec, nullptr);
  const auto& g = jg.by_controller;
  Record rec = load(record(spec));
  rec.rules.clear();
  const LimitPlan reset = plan_limits(sdk::PropertyMap{}, plan_context(g));
  for (const auto& w : reset.writes) {
    try {
      write_control(g.at(w.controller) / w.file, w.value);
    } catch (const std::exception& e) {
      m_host.log->debug("resetting {}: {}", w.file, e.what());
    }
  }
  std::vector<std::string> busy;
  for (const auto& d : jg.dirs) {
    // A process that just exited may keep its group busy for a moment.
    bool gone = false;
    int err = 0;
    for (int attempt = 0; attempt < 300 && !gone; ++attempt) {
      if (::rmdir(d.c_str()) == 0 || errno == ENOENT) {
        gone = true;
        break;
      }
      err = errno;
      if (err != EBUSY || has_live_processes(d)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (gone) {
      ::rmdir(d.parent_path().c_str());  // the shared "iocell" level, once empty
      continue;
    }
    if (!has_live_processes(d)) throw std::runtime_error("cannot remove cgroup " + d.string() + ": " + std::strerror(err));
    busy.push_back(d.string());
  }
  // Groups that still hold processes (uncap of a running jail) stay.
  rec.groups.erase(std::remove_if(rec.groups.begin(), rec.groups.end(),
                                  [&](const auto& gr) { return std::find(busy.begin(), busy.end(), gr.second) == busy.end(); }),
                   rec.groups.end());
  save(record(spec), rec);
}

std::vector<std::string> CgroupLimits::rules(const sdk::JailSpec& spec) {
  std::vector<std::string> out;
  for (const auto& [text, enforced] : load(record(spec)).rules) out.push_back(text);
  return out;
}

std::string CgroupLimits::cpuset(const sdk::JailSpec& spec, const sdk::RunState& state) {
  auto g = groups(spec, &state).by_controller;
  auto it = g.find("cpuset");
  if (it == g.end()) return "";
  const bool v2 = layout().serving("cpuset")->v2;
  auto mine = read_trimmed(it->second / (v2 ? "cpuset.cpus.effective" : "cpuset.cpus"));
  auto parent = read_trimmed(it->second.parent_path() / (v2 ? "cpuset.cpus.effective" : "cpuset.cpus"));
  if (!mine || mine->empty() || (parent && *parent == *mine)) return "";
  return *mine;
}

std::vector<std::pair<std::string, std::string>> CgroupLimits::usage(const sdk::JailSpec& spec, const sdk::RunState& state,
                                                                     Amounts /*amounts: always exact, the kernel counts in bytes*/) {
  std::vector<std::pair<std::string, std::string>> out;
  auto g = groups(spec, &state).by_controller;
  auto number = [](const std::optional<std::string>& s) -> std::optional<std::uint64_t> {
    if (!s) return std::nullopt;
    try {
      return std::stoull(*s);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  auto stat_field = [](const fs::path& file, const std::string& key) -> std::optional<std::uint64_t> {
    std::ifstream in(file);
    std::string k;
    std::uint64_t v;
    while (in >> k >> v)
      if (k == key) return v;
    return std::nullopt;
  };
  const Layout& l = layout();
  auto v2 = [&](const char* c) { return l.serving(c) && l.serving(c)->v2; };

  std::optional<double> cpu_seconds;
  if (g.count("cpuacct") && !v2("cpuacct")) {
    if (auto ns = number(read_trimmed(g["cpuacct"] / "cpuacct.usage"))) cpu_seconds = static_cast<double>(*ns) / 1e9;
  } else if (g.count("cpu") && v2("cpu")) {
    if (auto us = stat_field(g["cpu"] / "cpu.stat", "usage_usec")) cpu_seconds = static_cast<double>(*us) / 1e6;
  }
  if (cpu_seconds) out.emplace_back("cputime", std::to_string(static_cast<std::uint64_t>(*cpu_seconds)));
  if (g.count("memory")) {
    auto mem = number(read_trimmed(g["memory"] / (v2("memory") ? "memory.current" : "memory.usage_in_bytes")));
    if (mem) out.emplace_back("memoryuse", std::to_string(*mem));
  }
  if (g.count("pids")) {
    // iocell's init is not one of the jail's processes.
    std::ifstream procs(g["pids"] / "cgroup.procs");
    std::uint64_t n = 0;
    std::string pid;
    while (procs >> pid) ++n;
    out.emplace_back("maxproc", std::to_string(n > 0 ? n - 1 : 0));
  }
  if (g.count("memory")) {
    std::optional<std::uint64_t> swap;
    if (v2("memory")) {
      swap = number(read_trimmed(g["memory"] / "memory.swap.current"));
    } else if (auto both = number(read_trimmed(g["memory"] / "memory.memsw.usage_in_bytes"))) {
      auto mem = number(read_trimmed(g["memory"] / "memory.usage_in_bytes"));
      swap = mem && *both > *mem ? *both - *mem : 0;
    }
    if (swap) out.emplace_back("swapuse", std::to_string(*swap));
  }
  if (g.count("pids")) {
    if (auto tasks = number(read_trimmed(g["pids"] / "pids.current"))) out.emplace_back("nthr", std::to_string(*tasks > 0 ? *tasks - 1 : 0));
  }
  // wallclock and pcpu: since the init started (pcpu is the average share of
  // one CPU over the jail's life, not FreeBSD's decaying estimate).
  std::ifstream stat("/proc/" + std::to_string(state.jid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  auto uptime = read_trimmed("/proc/uptime");
  if (state.jid > 0 && close != std::string::npos && uptime) {
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    std::uint64_t start_ticks = 0;
    for (int i = 3; fields >> f; ++i) {
      if (i == 22) {
        start_ticks = std::stoull(f);
        break;
      }
    }
    const double started = static_cast<double>(start_ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double wall = std::stod(*uptime) - started;
    if (wall > 0) {
      out.emplace_back("wallclock", std::to_string(static_cast<std::uint64_t>(wall)));
      if (cpu_seconds) out.emplace_back("pcpu", std::to_string(static_cast<std::uint64_t>(*cpu_seconds * 100.0 / wall + 0.5)));
    }
  }
  return out;
}

// Groups named ioc-<uuid> with no live process, in the iocell level of
// every hierarchy and wherever a record says a start made one (a v1 group
// lies under the cgroup of the command that started the jail).
std::vector<std::string> CgroupLimits::clean_leftovers(const std::function<bool(const std::string&)>& idle) {
  std::vector<std::string> done;
  if (m_host.dry_run) return done;
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (const Hierarchy* h : layout().used())
    for (const auto& e : fs::directory_iterator(jail_group(*h, "x").parent_path(), ec)) candidates.push_back(e.path());
  const fs::path records = m_host.root / ".run" / "cgroup";
  std::vector<fs::path> record_files;
  for (const auto& e : fs::directory_iterator(records, ec)) {
    record_files.push_back(e.path());
    for (const auto& [m, d] : load(e.path()).groups) candidates.push_back(d);
  }
  for (const auto& dir : candidates) {
    const std::string leaf = dir.filename().string();
    if (leaf.rfind("ioc-", 0) != 0 || !fs::is_directory(dir, ec) || has_live_processes(dir) || !idle(leaf.substr(4))) continue;
    if (::rmdir(dir.c_str()) == 0) {
      ::rmdir(dir.parent_path().c_str());  // the shared "iocell" level, once empty
      done.push_back("removed the cgroup " + dir.string() + " of a jail that is not running");
    }
  }
  for (const auto& file : record_files) {
    bool any = false;
    for (const auto& [m, d] : load(file).groups) any = any || fs::is_directory(d, ec);
    if (!any && idle(file.filename().string())) fs::remove(file, ec);
  }
  return done;
}

}  // namespace iocell::plugins::cgroup
