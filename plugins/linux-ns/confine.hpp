// What confines a jail's processes beyond namespaces and capabilities: a
// session keyring of their own and a seccomp filter that refuses the system
// calls a FreeBSD jail cannot make (docs/security.md, "System calls and
// keyrings", maps each to FreeBSD's default or allow_* property).
#pragma once

#include <linux/filter.h>

#include <vector>

#include <iocell/sdk/properties.hpp>

namespace iocell::plugins::linux_ns {

struct SyscallPolicy {
  bool allow_mount = false;  ///< allow_mount=1: the mount family of calls
};

SyscallPolicy syscall_policy(const sdk::PropertyMap& props);

/// A filter built in the parent; install() allocates nothing, so that it
/// may run in a child sharing the parent's memory.
class SyscallFilter {
 public:
  explicit SyscallFilter(const SyscallPolicy& policy);
  /// Installs the filter on the calling thread, without no_new_privs (the
  /// jail's setuid programs keep working): the caller must still hold
  /// CAP_SYS_ADMIN. Returns 0 or the errno of the failure.
  int install() const noexcept;
  const std::vector<sock_filter>& program() const { return m_prog; }

 private:
  std::vector<sock_filter> m_prog;
};

/// Replaces the caller's session keyring with a new anonymous one, so that
/// the host's session keyring (and, through it, root's user keyring as
/// the session's fallback) is not the jail's. Returns 0 or the errno.
int join_own_keyring() noexcept;

/// Both, in order, as the last steps before capabilities are lowered.
/// Returns 0 or the errno; `what` names the failed step.
int confine(const SyscallFilter& filter, const char*& what) noexcept;

}  // namespace iocell::plugins::linux_ns
