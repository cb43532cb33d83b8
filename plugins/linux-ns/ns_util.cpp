#include "ns_util.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iocell::plugins::linux_ns {

UniqueFd open_beneath(int dirfd, const std::filesystem::path& rel, int flags, const std::string& shown) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  std::string p = rel.relative_path().string();
  if (p.empty()) p = ".";
  int fd = static_cast<int>(::syscall(SYS_openat2, dirfd, p.c_str(), &how, sizeof how));
  if (fd < 0) {
    if (errno == ELOOP || errno == EXDEV)
      throw std::runtime_error("refusing " + shown + ": a component is a symbolic link or leaves the jail root");
    throw sys_error("cannot open " + shown);
  }
  return UniqueFd(fd);
}

void make_dirs_beneath(int dirfd, const std::filesystem::path& rel, const std::string& shown) {
  UniqueFd dir(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  for (const auto& part : sdk::SafeRoot::components(rel)) {
    int next = ::openat(dir.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT) {
      if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST) throw sys_error("cannot create " + shown);
      next = ::openat(dir.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR)
        throw std::runtime_error("refusing " + shown + ": a component is a symbolic link or not a directory");
      throw sys_error("cannot open " + shown);
    }
    dir = UniqueFd(next);
  }
}

std::optional<ProcInfo> proc_info(pid_t pid) {
  auto stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return std::nullopt;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  size_t open = stat->find('('), close = stat->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= stat->size()) return std::nullopt;
  ProcInfo info;
  info.comm = stat->substr(open + 1, close - open - 1);
  auto fields = split_blank(stat->substr(close + 2));
  // fields[0] is field 3 (state); starttime is field 22.
  if (fields.size() < 20) return std::nullopt;
  info.state = fields[0].empty() ? '?' : fields[0][0];
  try {
    info.start_ticks = std::stoull(fields[19]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return info;
}

std::uint64_t ns_inode(pid_t pid, const char* ns) {
  struct stat st {};
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + ns;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_ino);
}

std::string boot_id() {
  auto id = slurp("/proc/sys/kernel/random/boot_id");
  if (!id) return "";
  while (!id->empty() && (id->back() == '\n' || id->back() == ' ')) id->pop_back();
  return *id;
}

UniqueFd open_cgroup_join(const std::filesystem::path& procs_file) {
  if (procs_file.filename() == "cgroup.procs") {
    UniqueFd tasks(::open((procs_file.parent_path() / "tasks").c_str(), O_WRONLY | O_CLOEXEC));
    if (tasks) return tasks;
  }
  UniqueFd fd(::open(procs_file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw sys_error("cannot open " + procs_file.string());
  return fd;
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int signal_pidfd(int pidfd, int sig) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0)); }

std::vector<std::string> split_blank(const std::string& text) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

// Probed with PR_CAPBSET_READ from the kernel headers' value (two prctl
// calls as a rule) rather than read from /proc/sys, which costs an open and
// a read of a sysctl in every command that starts a process in a jail.
int last_cap() {
  static const int value = [] {
    const auto valid = [](int cap) { return ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; };
    int cap = CAP_LAST_CAP;
    if (valid(cap)) {
      while (cap < 63 && valid(cap + 1)) ++cap;
    } else {
      while (cap > 0 && !valid(cap)) --cap;
    }
    return cap;
  }();
  return value;
}

}  // namespace iocell::plugins::linux_ns
