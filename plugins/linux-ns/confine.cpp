#include "confine.hpp"

#include <linux/audit.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace iocell::plugins::linux_ns {

namespace {

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#elif defined(__i386__)
constexpr unsigned kArch = AUDIT_ARCH_I386;
#elif defined(__riscv) && __riscv_xlen == 64
constexpr unsigned kArch = AUDIT_ARCH_RISCV64;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned kArch = AUDIT_ARCH_PPC64LE;
#else
#error "linux-ns: no seccomp architecture for this target"
#endif

constexpr std::uint32_t kNr = offsetof(seccomp_data, nr);
constexpr std::uint32_t kArchOff = offsetof(seccomp_data, arch);
// The low 32 bits of an argument (little endian): clone and unshare flags
// and ioctl requests are all below 2^32, and the kernel reads an ioctl
// request as an unsigned int whatever the high bits hold.
constexpr std::uint32_t arg_low(int i) {
  return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * static_cast<std::size_t>(i));
}

constexpr std::uint32_t errno_ret(int err) { return SECCOMP_RET_ERRNO | (static_cast<std::uint32_t>(err) & SECCOMP_RET_DATA); }

class Builder {
 public:
  void stmt(std::uint16_t code, std::uint32_t k) { m_p.push_back(BPF_STMT(code, k)); }
  void load_nr() { stmt(BPF_LD | BPF_W | BPF_ABS, kNr); }
  /// The whole call refused.
  void deny(long nr, int err) {
    load_nr();
    m_p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 1));
    stmt(BPF_RET | BPF_K, errno_ret(err));
  }
  /// Refused when argument `arg` (low word) has any of `bits`.
  void deny_flags(long nr, int arg, std::uint32_t bits, int err) {
    load_nr();
    m_p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 3));
    stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(arg));
    m_p.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, bits, 0, 1));
    stmt(BPF_RET | BPF_K, errno_ret(err));
  }
  /// Refused when argument `arg` (low word) equals one of `values`.
  void deny_values(long nr, int arg, std::initializer_list<std::uint32_t> values, int err) {
    load_nr();
    const auto n = static_cast<std::uint8_t>(values.size());
    // Past the argument load, the comparisons, the jump and the return.
    m_p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, static_cast<std::uint8_t>(n + 3)));
    stmt(BPF_LD | BPF_W | BPF_ABS, arg_low(arg));
    std::uint8_t after = n;
    for (std::uint32_t v : values) {
      --after;  // comparisons still to come; then the jump, then the return
      m_p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, v, static_cast<std::uint8_t>(after + 1), 0));
    }
    m_p.push_back(BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0));
    stmt(BPF_RET | BPF_K, errno_ret(err));
  }
  std::vector<sock_filter> take() { return std::move(m_p); }

 private:
  std::vector<sock_filter> m_p;
};

}  // namespace

SyscallPolicy syscall_policy(const sdk::PropertyMap& props) {
  SyscallPolicy p;
  p.allow_mount = props.enabled("allow_mount");
  return p;
}

SyscallFilter::SyscallFilter(const SyscallPolicy& policy) {
  // Another architecture's numbers mean other calls (i386 on x86_64, x32):
  // such a process is killed rather than filtered by the wrong table.
  std::vector<sock_filter> prog;
  prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArchOff));
  prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#if defined(__x86_64__)
  prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNr));
  prog.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1));
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#endif
  Builder rules;
  // FreeBSD has no kernel keyrings: ENOSYS, as there.
  for (long nr : {long{SYS_keyctl}, long{SYS_add_key}, long{SYS_request_key}}) rules.deny(nr, ENOSYS);
  // A user namespace hands out every capability over namespaces the jail's
  // own limits do not bind (a mount there needs no allow_mount).
  rules.deny_flags(SYS_unshare, 0, CLONE_NEWUSER, EPERM);
  rules.deny_flags(SYS_clone, 0, CLONE_NEWUSER, EPERM);
  // clone3's flags sit in memory a filter cannot read: ENOSYS makes libc
  // fall back to clone, whose flags it can.
  rules.deny(SYS_clone3, ENOSYS);
  rules.deny(SYS_setns, EPERM);
  if (!policy.allow_mount) {
    for (long nr : {long{SYS_mount}, long{SYS_umount2}, long{SYS_open_tree}, long{SYS_move_mount}, long{SYS_fsopen},
                    long{SYS_fsmount}, long{SYS_fsconfig}, long{SYS_fspick}, long{SYS_mount_setattr}, long{SYS_pivot_root}})
      rules.deny(nr, EPERM);
  }
  rules.deny_values(SYS_ioctl, 1, {static_cast<std::uint32_t>(TIOCSTI), static_cast<std::uint32_t>(TIOCLINUX)}, EPERM);
  for (long nr : {long{SYS_init_module}, long{SYS_finit_module}, long{SYS_delete_module}, long{SYS_kexec_load},
                  long{SYS_kexec_file_load}, long{SYS_bpf}, long{SYS_perf_event_open}, long{SYS_reboot},
                  long{SYS_swapon}, long{SYS_swapoff}, long{SYS_acct}, long{SYS_settimeofday}, long{SYS_clock_settime},
                  long{SYS_adjtimex}, long{SYS_clock_adjtime}, long{SYS_open_by_handle_at}, long{SYS_userfaultfd}})
    rules.deny(nr, EPERM);
#if defined(SYS_iopl)
  rules.deny(SYS_iopl, EPERM);
#endif
#if defined(SYS_ioperm)
  rules.deny(SYS_ioperm, EPERM);
#endif
  for (const auto& ins : rules.take()) prog.push_back(ins);
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  m_prog = std::move(prog);
}

int SyscallFilter::install() const noexcept {
  sock_fprog fprog{static_cast<unsigned short>(m_prog.size()), const_cast<sock_filter*>(m_prog.data())};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) return errno;
  return 0;
}

int join_own_keyring() noexcept {
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0) return errno;
  return 0;
}

int confine(const SyscallFilter& filter, const char*& what) noexcept {
  // The keyring first: the filter refuses keyctl.
  if (int err = join_own_keyring(); err != 0) {
    what = "(joining a session keyring of the jail's own)";
    return err;
  }
  if (int err = filter.install(); err != 0) {
    what = "(installing the jail's system call filter)";
    return err;
  }
  return 0;
}

}  // namespace iocell::plugins::linux_ns
