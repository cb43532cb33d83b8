#include "oci_root.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "mount_api.hpp"
#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

namespace {

namespace so = sdk::oci;

// -1 with errno when it cannot be opened.
int open_in_root(int rootfd, const std::string& rel, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string p = rel.empty() ? "." : rel;
  return static_cast<int>(::syscall(SYS_openat2, rootfd, p.c_str(), &how, sizeof how));
}

std::string relative(const std::string& dest) {
  std::string r = dest;
  while (!r.empty() && r.front() == '/') r.erase(r.begin());
  return r;
}

// Creates the missing components of `rel` inside the root; the last one as
// a file when `file` (the target of a bind mount of a file).
UniqueFd make_point(int rootfd, const std::string& rel, bool file, const std::string& shown) {
  UniqueFd fd(open_in_root(rootfd, rel, O_PATH));
  if (fd) return fd;
  if (errno != ENOENT) throw sys_error("cannot open " + shown);
  std::string sofar;
  std::size_t start = 0;
  while (start <= rel.size()) {
    std::size_t slash = rel.find('/', start);
    const std::string part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    const bool last = slash == std::string::npos;
    if (!part.empty()) {
      UniqueFd parent(open_in_root(rootfd, sofar, O_PATH | O_DIRECTORY));
      if (!parent) throw sys_error("cannot open " + shown);
      UniqueFd here(open_in_root(rootfd, sofar.empty() ? part : sofar + "/" + part, O_PATH));
      if (!here) {
        if (last && file) {
          // O_PATH descriptors cannot create: the parent is reopened for it.
          UniqueFd dir(open_in_root(rootfd, sofar, O_DIRECTORY | O_RDONLY));
          int made = dir ? ::openat(dir.get(), part.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644) : -1;
          if (made < 0) throw sys_error("cannot create " + shown);
          ::close(made);
        } else {
          UniqueFd dir(open_in_root(rootfd, sofar, O_DIRECTORY | O_RDONLY));
          if (!dir || (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST)) throw sys_error("cannot create " + shown);
        }
      }
      sofar = sofar.empty() ? part : sofar + "/" + part;
    }
    if (last) break;
    start = slash + 1;
  }
  UniqueFd out(open_in_root(rootfd, rel, O_PATH));
  if (!out) throw sys_error("cannot open " + shown);
  return out;
}

struct Options {
  unsigned attrs = 0;
  bool recursive = false;
  std::vector<std::pair<std::string, std::string>> params;
};

Options parse_options(const so::Mount& m, const std::string& shown) {
  Options o;
  const bool bind = m.type == "bind";
  for (const auto& opt : m.options) {
    if (opt == "ro") o.attrs |= MOUNT_ATTR_RDONLY;
    else if (opt == "nosuid") o.attrs |= MOUNT_ATTR_NOSUID;
    else if (opt == "nodev") o.attrs |= MOUNT_ATTR_NODEV;
    else if (opt == "noexec") o.attrs |= MOUNT_ATTR_NOEXEC;
    else if (opt == "noatime") o.attrs |= MOUNT_ATTR_NOATIME;
    else if (opt == "strictatime") o.attrs |= MOUNT_ATTR_STRICTATIME;
    else if (opt == "nodiratime") o.attrs |= MOUNT_ATTR_NODIRATIME;
    else if (opt == "rbind") o.recursive = true;
    else if (opt == "rw" || opt == "relatime" || opt == "suid" || opt == "dev" || opt == "exec" || opt == "atime" ||
             opt == "diratime" || opt == "defaults" || opt == "async" || opt == "bind" || opt == "private" ||
             opt == "rprivate" || opt == "slave" || opt == "rslave" || opt == "unbindable" || opt == "runbindable") {
      // The default, or propagation: the container's mounts are private to it.
    } else if (opt == "shared" || opt == "rshared") {
      throw std::runtime_error(shown + ": option '" + opt + "' is not supported (the container's mounts are private)");
    } else if (bind) {
      throw std::runtime_error(shown + ": option '" + opt + "' is not supported on a bind mount");
    } else if (opt == "newinstance" && m.type == "devpts") {
      // Every devpts mounted through fsopen is a new instance.
    } else {
      const auto eq = opt.find('=');
      o.params.emplace_back(opt.substr(0, eq), eq == std::string::npos ? "" : opt.substr(eq + 1));
    }
  }
  return o;
}

void mount_dev_defaults(int rootfd, bool with_pts) {
  UniqueFd target = make_point(rootfd, "dev", false, "/dev");
  UniqueFd mnt = make_fs("tmpfs", "tmpfs", {{"mode", "755"}, {"size", "65536k"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev");
  attach(mnt.get(), target.get(), "/dev");
  UniqueFd devfd(open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY));
  if (!devfd) throw sys_error("cannot open /dev");
  populate_dev(devfd.get());
  if (!with_pts) return;
  UniqueFd pts(open_in_root(rootfd, "dev/pts", O_PATH | O_DIRECTORY));
  UniqueFd ptsfs = make_fs("devpts", "devpts", {{"ptmxmode", "0666"}, {"mode", "0620"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/pts");
  attach(ptsfs.get(), pts.get(), "/dev/pts");
}

void mount_one(int rootfd, const so::Mount& m, const std::string& shown) {
  const Options o = parse_options(m, shown);
  const std::string rel = relative(m.destination);
  if (m.type == "bind") {
    struct stat st {};
    if (::stat(m.source.c_str(), &st) != 0) throw sys_error(shown + ": source " + m.source);
    UniqueFd target = make_point(rootfd, rel, !S_ISDIR(st.st_mode), shown);
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.recursive ? AT_RECURSIVE : 0);
    UniqueFd tree(::open_tree(AT_FDCWD, m.source.c_str(), flags));
    if (!tree) throw sys_error(shown + ": cannot bind " + m.source);
    set_attrs(tree.get(), o.attrs, shown);
    attach(tree.get(), target.get(), shown);
    return;
  }
  UniqueFd target = make_point(rootfd, rel, false, shown);
  if (m.type == "cgroup") {
    // A v1 cgroup tree is a set of mounts per controller; the container gets
    // an empty read-only directory instead (docs/oci-runtime.md).
    UniqueFd mnt = make_fs("tmpfs", "cgroup", {{"size", "4k"}}, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, shown);
    attach(mnt.get(), target.get(), shown);
    return;
  }
  UniqueFd mnt = make_fs(m.type, m.source.empty() ? m.type : m.source, o.params, o.attrs, shown);
  attach(mnt.get(), target.get(), shown);
  if (m.type == "tmpfs" && rel == "dev") {
    UniqueFd devfd(open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY));
    if (!devfd) throw sys_error("cannot open /dev");
    populate_dev(devfd.get());
  }
}

void mask(int rootfd, const std::string& path) {
  UniqueFd fd(open_in_root(rootfd, relative(path), O_PATH | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT) return;
    throw sys_error("maskedPaths " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw sys_error("maskedPaths " + path);
  if (S_ISDIR(st.st_mode)) {
    UniqueFd empty = make_fs("tmpfs", "tmpfs", {{"size", "4k"}}, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, path);
    attach(empty.get(), fd.get(), "maskedPaths " + path);
  } else {
    UniqueFd null_tree(::open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!null_tree) throw sys_error("maskedPaths " + path);
    attach(null_tree.get(), fd.get(), "maskedPaths " + path);
  }
}

void make_readonly(int rootfd, const std::string& path) {
  UniqueFd fd(open_in_root(rootfd, relative(path), O_PATH | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT) return;
    throw sys_error("readonlyPaths " + path);
  }
  UniqueFd tree(::open_tree(fd.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH));
  if (!tree) throw sys_error("readonlyPaths " + path);
  set_attrs(tree.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "readonlyPaths " + path);
  attach(tree.get(), fd.get(), "readonlyPaths " + path);
}

// Through the container's /proc before its masks and read-only paths (its
// /proc/sys among them) go on: net.* is the sysctl of the opener's network
// namespace, which is already the container's.
void apply_sysctl(int rootfd, const so::Container& c) {
  for (const auto& [key, value] : c.sysctl) {
    const bool owned = key.rfind("net.", 0) == 0 || key.rfind("kernel.shm", 0) == 0 || key.rfind("kernel.msg", 0) == 0 ||
                       key == "kernel.sem" || key.rfind("fs.mqueue.", 0) == 0;
    if (!owned) throw std::runtime_error("linux.sysctl." + key + ": not a setting of the container's own namespaces");
    std::string rel = key;
    std::replace(rel.begin(), rel.end(), '.', '/');
    UniqueFd fd(open_in_root(rootfd, "proc/sys/" + rel, O_WRONLY | O_NOFOLLOW));
    if (!fd || !write_all(fd.get(), value)) throw sys_error("linux.sysctl." + key);
  }
}

}  // namespace

void enter_oci_root(const so::Container& c, bool own_uts) {
  // Device nodes and mount points get exactly their modes; the process's
  // own umask (process.user.umask) is set before it execs.
  ::umask(0);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw sys_error("cannot make / private");
  const std::string root = c.root.string();
  {
    // pivot_root needs the root to be a mount point of its own.
    UniqueFd tree = clone_tree(AT_FDCWD, root.c_str(), "root.path " + root);
    if (::move_mount(tree.get(), "", AT_FDCWD, root.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
      throw sys_error("cannot bind root.path " + root);
  }
  UniqueFd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) throw sys_error("cannot open root.path " + root);

  const bool has_dev = std::any_of(c.mounts.begin(), c.mounts.end(), [](const so::Mount& m) { return m.destination == "/dev"; });
  const bool has_pts = std::any_of(c.mounts.begin(), c.mounts.end(), [](const so::Mount& m) { return m.destination == "/dev/pts"; });
  if (!has_dev) mount_dev_defaults(rootfd.get(), !has_pts);
  for (std::size_t i = 0; i < c.mounts.size(); ++i) {
    const auto& m = c.mounts[i];
    mount_one(rootfd.get(), m, "mounts[" + std::to_string(i) + "] " + m.destination);
  }
  apply_sysctl(rootfd.get(), c);
  for (const auto& p : c.masked_paths) mask(rootfd.get(), p);
  for (const auto& p : c.readonly_paths) make_readonly(rootfd.get(), p);
  if (own_uts && !c.hostname.empty() && ::sethostname(c.hostname.data(), c.hostname.size()) != 0)
    throw sys_error("cannot set the host name to '" + c.hostname + "'");
  rootfd.reset();
  pivot(c.root);
  if (c.root_readonly && ::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
    throw sys_error("cannot make the root read-only (root.readonly)");
}

}  // namespace iocell::plugins::linux_ns
