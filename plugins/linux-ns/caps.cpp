#include "caps.hpp"

#include <linux/capability.h>
#include <cerrno>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

namespace {
constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }
}  // namespace

std::uint64_t jail_capabilities(const sdk::PropertyMap& props) {
  // CAP_SYS_PTRACE stays out even though gdb inside would like it: with it,
  // jailed root could attach to iocell's own processes that enter the jail
  // (the init, a command between setns and exec) while they still hold
  // every capability. Tracing one's own processes needs no capability.
  std::uint64_t keep = bit(CAP_CHOWN) | bit(CAP_DAC_OVERRIDE) | bit(CAP_FOWNER) | bit(CAP_FSETID) | bit(CAP_KILL) |
                       bit(CAP_SETGID) | bit(CAP_SETUID) | bit(CAP_SETPCAP) | bit(CAP_NET_BIND_SERVICE) |
                       bit(CAP_NET_BROADCAST) | bit(CAP_IPC_OWNER) | bit(CAP_SYS_CHROOT) | bit(CAP_LEASE) |
                       bit(CAP_AUDIT_WRITE) | bit(CAP_SETFCAP);
  if (props.enabled("allow_mount")) keep |= bit(CAP_SYS_ADMIN);
  if (props.enabled("allow_raw_sockets")) keep |= bit(CAP_NET_RAW);
  if (props.enabled("allow_chflags")) keep |= bit(CAP_LINUX_IMMUTABLE);
  if (props.enabled("allow_mlock")) keep |= bit(CAP_IPC_LOCK);
  // A VNET jail owns its network stack; a shared-IP jail would be
  // reconfiguring the host's.
  if (props.enabled("vnet")) keep |= bit(CAP_NET_ADMIN);
  return keep;
}

int drop_capabilities(std::uint64_t keep, int last) noexcept {
  for (int cap = 0; cap <= last; ++cap) {
    if (keep & bit(cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  }
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return errno;
  for (int i = 0; i < 2; ++i) {
    const auto mask = static_cast<std::uint32_t>(keep >> (32 * i));
    data[i].effective &= mask;
    data[i].permitted &= mask;
    data[i].inheritable = 0;
  }
  if (::syscall(SYS_capset, &header, data) != 0) return errno;
  return 0;
}

void restrict_capabilities(std::uint64_t keep) {
  if (int err = drop_capabilities(keep, last_cap()); err != 0) {
    errno = err;
    throw sys_error("cannot lower the capabilities");
  }
}

}  // namespace iocell::plugins::linux_ns
