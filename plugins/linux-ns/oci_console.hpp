// The terminal of an OCI process (process.terminal): a pty made inside the
// container, whose master goes to the caller's --console-socket (connected
// in the caller, before any namespace: sdk/console_socket.hpp) with
// SCM_RIGHTS (as runc and crun hand it to conmon) and whose slave becomes the
// process's controlling terminal and stdin, stdout and stderr.
#pragma once

#include <filesystem>

#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

/// In the container's process, once /dev/pts is its own: makes the pty,
/// sends the master over `sock`, starts a session with the slave as its
/// controlling terminal on 0, 1 and 2. Throws on failure.
void take_terminal(int sock);

}  // namespace iocell::plugins::linux_ns
