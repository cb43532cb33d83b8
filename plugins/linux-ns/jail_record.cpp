#include "jail_record.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <sstream>
#include <string_view>

#include "init.hpp"
#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

namespace {

std::string serialize(const JailRecord& r) {
  std::ostringstream o;
  o << "pid=" << r.pid << "\nstart=" << r.start_ticks << "\nboot=" << r.boot << "\npidns=" << r.pidns
    << "\nroot=" << r.root << "\nip4=" << r.ip4 << "\n";
  // A path with a newline would read back as two lines: such a record
  // leaves the groups to be found from /proc.
  bool plain = r.cgroups_recorded;
  for (const auto& c : r.cgroups) plain = plain && c.string().find('\n') == std::string::npos;
  if (plain) {
    o << "cgroups=recorded\n";
    for (const auto& c : r.cgroups) o << "cgroup=" << c.string() << "\n";
  }
  return o.str();
}

std::optional<JailRecord> parse(std::string_view text) {
  JailRecord r;
  const auto number = [](std::string_view v, auto& out) {
    const auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), out);
    return err == std::errc() && end == v.data() + v.size();
  };
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view k = line.substr(0, eq), v = line.substr(eq + 1);
    bool ok = true;
    if (k == "pid") ok = number(v, r.pid);
    else if (k == "start") ok = number(v, r.start_ticks);
    else if (k == "boot") r.boot = v;
    else if (k == "pidns") ok = number(v, r.pidns);
    else if (k == "root") r.root = v;
    else if (k == "ip4") r.ip4 = v;
    else if (k == "cgroups") r.cgroups_recorded = v == "recorded";
    else if (k == "cgroup") r.cgroups.emplace_back(v);
    if (!ok) return std::nullopt;
  }
  if (r.pid <= 1) return std::nullopt;
  return r;
}

}  // namespace

std::optional<JailRecord> describe_init(pid_t pid) {
  auto info = proc_info(pid);
  if (!info) return std::nullopt;
  JailRecord r;
  r.pid = pid;
  r.start_ticks = info->start_ticks;
  r.boot = boot_id();
  r.pidns = ns_inode(pid, "pid");
  return r;
}

bool record_alive(const JailRecord& rec) {
  auto info = proc_info(rec.pid);
  if (!info || info->state == 'Z' || info->state == 'X') return false;
  if (info->comm != kInitName || info->start_ticks != rec.start_ticks) return false;
  if (rec.boot != boot_id()) return false;
  return ns_inode(rec.pid, "pid") == rec.pidns;
}

void RecordStore::save(const std::string& name, const JailRecord& rec) const {
  std::error_code ec;
  std::filesystem::create_directories(m_dir, ec);
  if (ec) throw std::runtime_error("cannot create " + m_dir.string() + ": " + ec.message());
  const auto final_path = m_dir / name;
  const auto tmp = m_dir / ("." + name + ".tmp");
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  // No fsync: after a crash the record names a dead init and reads as down
  // anyway; the rename keeps readers from seeing half a file.
  if (!fd || !write_all(fd.get(), serialize(rec))) throw sys_error("cannot write " + tmp.string());
  fd.reset();
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) throw sys_error("cannot write " + final_path.string());
}

std::optional<JailRecord> RecordStore::load(const std::string& name) const {
  auto text = slurp((m_dir / name).string());
  if (!text) return std::nullopt;
  return parse(*text);
}

void RecordStore::remove(const std::string& name) const {
  std::error_code ec;
  std::filesystem::remove(m_dir / name, ec);
}

std::vector<std::pair<std::string, JailRecord>> RecordStore::all() const {
  std::vector<std::pair<std::string, JailRecord>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ioc-", 0) != 0) continue;
    if (auto rec = load(name)) out.emplace_back(name, *rec);
  }
  return out;
}

}  // namespace iocell::plugins::linux_ns
