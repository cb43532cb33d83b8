#include "mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mount_api.hpp"
#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

namespace {

// The kernel explains a refused parameter on the fs context descriptor.
std::string fs_messages(int fsfd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fsfd, buf, sizeof buf - 1);
    if (n <= 0) break;
    buf[n] = '\0';
    std::string line(buf, static_cast<size_t>(n));
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

}  // namespace

UniqueFd make_fs(const std::string& type, const std::string& source,
                 const std::vector<std::pair<std::string, std::string>>& params, unsigned attrs,
                 const std::string& shown) {
  UniqueFd fs(::fsopen(type.c_str(), FSOPEN_CLOEXEC));
  if (!fs) throw sys_error("cannot mount " + shown + ": filesystem type '" + type + "'");
  auto fail = [&](const std::string& what) {
    std::string why = std::strerror(errno);
    std::string kernel = fs_messages(fs.get());
    return std::runtime_error("cannot mount " + shown + ": " + what + ": " + (kernel.empty() ? why : kernel));
  };
  if (!source.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0)
    throw fail("source '" + source + "'");
  for (const auto& [key, value] : params) {
    int rc = value.empty() ? ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0)
                           : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
    if (rc != 0) throw fail("option '" + key + (value.empty() ? "" : "=" + value) + "'");
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) throw fail("creating the filesystem");
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, attrs));
  if (!mnt) throw fail("fsmount");
  return mnt;
}

void set_attrs(int mntfd, std::uint64_t attrs, const std::string& shown) {
  if (attrs == 0) return;
  mount_attr attr{};
  attr.attr_set = attrs;
  if (::mount_setattr(mntfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    throw sys_error("cannot set mount flags of " + shown);
}

void attach(int mntfd, int target_fd, const std::string& shown) {
  if (::move_mount(mntfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    throw sys_error("cannot mount " + shown);
}

// A copy of the tree at (dirfd, path), detached until attached elsewhere.
UniqueFd clone_tree(int dirfd, const char* path, const std::string& shown) {
  UniqueFd t(::open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW));
  if (!t) throw sys_error("cannot bind " + shown);
  return t;
}

unsigned entry_attrs(const MountEntry& e) {
  unsigned a = MOUNT_ATTR_NODEV;
  if (e.readonly) a |= MOUNT_ATTR_RDONLY;
  if (e.nosuid) a |= MOUNT_ATTR_NOSUID;
  if (e.noexec) a |= MOUNT_ATTR_NOEXEC;
  if (e.noatime) a |= MOUNT_ATTR_NOATIME;
  return a;
}

// proc lets root write kernel switches (core_pattern runs a host program as
// host root) and read kernel memory: those parts become read-only or masked.
void protect_proc(int procfd, int devfd) {
  for (const char* name : {"sys", "sysrq-trigger", "irq", "bus", "fs"}) {
    UniqueFd t(::open_tree(procfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW));
    if (!t) {
      if (errno == ENOENT) continue;
      throw sys_error(std::string("cannot protect /proc/") + name);
    }
    set_attrs(t.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
              std::string("/proc/") + name);
    if (::move_mount(t.get(), "", procfd, name, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      throw sys_error(std::string("cannot protect /proc/") + name);
  }
  for (const char* name : {"kcore", "keys", "timer_list", "sched_debug"}) {
    if (::faccessat(procfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0) continue;
    UniqueFd null_tree = clone_tree(devfd, "null", "/dev/null");
    if (::move_mount(null_tree.get(), "", procfd, name, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      throw sys_error(std::string("cannot mask /proc/") + name);
  }
  for (const char* name : {"acpi", "scsi"}) {
    if (::faccessat(procfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0) continue;
    UniqueFd empty = make_fs("tmpfs", "tmpfs", {{"size", "4k"}}, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                             std::string("/proc/") + name);
    if (::move_mount(empty.get(), "", procfd, name, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      throw sys_error(std::string("cannot mask /proc/") + name);
  }
}

static void make_device(int devfd, const DeviceNode& d) {
  const auto slash = d.path.find('/');
  if (slash != std::string::npos && ::mkdirat(devfd, d.path.substr(0, slash).c_str(), 0755) != 0 && errno != EEXIST)
    throw sys_error("cannot create /dev/" + d.path.substr(0, slash));
  // The process umask is 0 here: the mode is exactly the host's.
  if (::mknodat(devfd, d.path.c_str(), S_IFCHR | d.mode, makedev(d.major, d.minor)) != 0)
    throw sys_error("cannot create /dev/" + d.path);
}

void populate_dev(int devfd, const std::vector<DeviceNode>& granted) {
  struct Node {
    const char* name;
    unsigned major, minor;
  };
  for (const Node& n : {Node{"null", 1, 3}, Node{"zero", 1, 5}, Node{"full", 1, 7}, Node{"random", 1, 8},
                        Node{"urandom", 1, 9}, Node{"tty", 5, 0}}) {
    if (::mknodat(devfd, n.name, S_IFCHR | 0666, makedev(n.major, n.minor)) != 0)
      throw sys_error(std::string("cannot create /dev/") + n.name);
  }
  if (::mkdirat(devfd, "pts", 0755) != 0 || ::mkdirat(devfd, "shm", 01777) != 0)
    throw sys_error("cannot create /dev/pts and /dev/shm");
  struct Link {
    const char* target;
    const char* name;
  };
  for (const Link& l : {Link{"pts/ptmx", "ptmx"}, Link{"/proc/self/fd", "fd"}, Link{"/proc/self/fd/0", "stdin"},
                        Link{"/proc/self/fd/1", "stdout"}, Link{"/proc/self/fd/2", "stderr"}}) {
    if (::symlinkat(l.target, devfd, l.name) != 0) throw sys_error(std::string("cannot create /dev/") + l.name);
  }
  for (const auto& d : granted) make_device(devfd, d);
}

UniqueFd mount_point(int rootfd, const std::filesystem::path& rel, const std::string& shown) {
  make_dirs_beneath(rootfd, rel, shown);
  return open_beneath(rootfd, rel, O_PATH | O_DIRECTORY, shown);
}

void pivot(const std::filesystem::path& root) {
  // pivot_root(".", ".") stacks the old root on the new one; detaching it
  // from there needs no directory for it inside the jail (crun, bubblewrap).
  UniqueFd oldroot(::open("/", O_DIRECTORY | O_PATH | O_CLOEXEC));
  UniqueFd newroot(::open(root.c_str(), O_DIRECTORY | O_PATH | O_CLOEXEC));
  if (!oldroot || !newroot) throw sys_error("cannot open the roots for pivot_root");
  if (::fchdir(newroot.get()) != 0) throw sys_error("cannot enter " + root.string());
  if (::syscall(SYS_pivot_root, ".", ".") != 0) throw sys_error("pivot_root into " + root.string());
  if (::fchdir(oldroot.get()) != 0) throw sys_error("cannot reach the old root");
  if (::umount2(".", MNT_DETACH) != 0) throw sys_error("cannot detach the old root");
  if (::chdir("/") != 0) throw sys_error("chdir /");
}

std::vector<DeviceNode> granted_devices(const sdk::PropertyMap& props) {
  struct Grant {
    const char* property;
    const char* path;
    const char* missing;
  };
  std::vector<DeviceNode> out;
  for (const Grant& g : {Grant{"allow_tun", "net/tun", "the tun module is not loaded (modprobe tun)"},
                         Grant{"allow_vmm", "kvm", "KVM is not available on this host (modprobe kvm_intel or kvm_amd)"}}) {
    if (!props.enabled(g.property)) continue;
    const std::string host = std::string("/dev/") + g.path;
    struct stat st {};
    if (::stat(host.c_str(), &st) != 0 || !S_ISCHR(st.st_mode))
      throw std::runtime_error(std::string(g.property) + "=1 gives the jail " + host + ", which this host does not have: " + g.missing);
    out.push_back({g.path, ::major(st.st_rdev), ::minor(st.st_rdev), st.st_mode & 0777});
  }
  return out;
}

void enter_new_root(const RootSetup& setup) {
  ::umask(0);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw sys_error("cannot make / private");

  // The root becomes a mount point of its own (pivot_root needs one), where
  // device nodes that came with the jail's files stay inert.
  const std::string root = setup.root.string();
  {
    UniqueFd tree = clone_tree(AT_FDCWD, root.c_str(), "the jail root " + root);
    set_attrs(tree.get(), MOUNT_ATTR_NODEV, "the jail root");
    if (::move_mount(tree.get(), "", AT_FDCWD, root.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
      throw sys_error("cannot bind the jail root " + root);
  }
  UniqueFd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) throw sys_error("cannot open the jail root " + root);

  {
    UniqueFd target = mount_point(rootfd.get(), "proc", "/proc");
    UniqueFd mnt = make_fs("proc", "proc", {}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/proc");
    attach(mnt.get(), target.get(), "/proc");
  }
  {
    UniqueFd target = mount_point(rootfd.get(), "dev", "/dev");
    UniqueFd mnt = make_fs("tmpfs", "tmpfs", {{"mode", "755"}, {"size", "1m"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev");
    attach(mnt.get(), target.get(), "/dev");
  }
  UniqueFd devfd = open_beneath(rootfd.get(), "dev", O_PATH | O_DIRECTORY, "/dev");
  populate_dev(devfd.get(), setup.devices);
  {
    UniqueFd target = open_beneath(devfd.get(), "pts", O_PATH | O_DIRECTORY, "/dev/pts");
    UniqueFd mnt = make_fs("devpts", "devpts", {{"ptmxmode", "0666"}, {"mode", "0620"}},
                           MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/pts");
    attach(mnt.get(), target.get(), "/dev/pts");
  }
  {
    UniqueFd target = open_beneath(devfd.get(), "shm", O_PATH | O_DIRECTORY, "/dev/shm");
    UniqueFd mnt = make_fs("tmpfs", "shm", {{"mode", "1777"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/dev/shm");
    attach(mnt.get(), target.get(), "/dev/shm");
  }
  {
    UniqueFd target = mount_point(rootfd.get(), "tmp", "/tmp");
    UniqueFd mnt = make_fs("tmpfs", "tmpfs", {{"mode", "1777"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/tmp");
    attach(mnt.get(), target.get(), "/tmp");
  }
  {
    UniqueFd procfd = open_beneath(rootfd.get(), "proc", O_PATH | O_DIRECTORY, "/proc");
    protect_proc(procfd.get(), devfd.get());
  }

  for (const auto& e : setup.fstab) {
    const std::string shown = "/" + e.target.string() + " (fstab line " + std::to_string(e.line) + ")";
    UniqueFd target = mount_point(rootfd.get(), e.target, shown);
    if (e.fstype == "bind") {
      UniqueFd tree = clone_tree(AT_FDCWD, e.source.c_str(), e.source + " on " + shown);
      set_attrs(tree.get(), entry_attrs(e), shown);
      attach(tree.get(), target.get(), shown);
    } else {
      UniqueFd mnt = make_fs(e.fstype, e.source, e.params, entry_attrs(e), shown);
      attach(mnt.get(), target.get(), shown);
    }
    if (e.fstype == "proc") {
      UniqueFd procfd = open_beneath(rootfd.get(), e.target, O_PATH | O_DIRECTORY, shown);
      protect_proc(procfd.get(), devfd.get());
    }
  }

  if (!setup.hostname.empty() && ::sethostname(setup.hostname.data(), setup.hostname.size()) != 0)
    throw sys_error("cannot set the host name to '" + setup.hostname + "'");
  if (!setup.domainname.empty() && ::setdomainname(setup.domainname.data(), setup.domainname.size()) != 0)
    throw sys_error("cannot set the domain name to '" + setup.domainname + "'");
  rootfd.reset();
  devfd.reset();
  pivot(setup.root);
}

}  // namespace iocell::plugins::linux_ns
