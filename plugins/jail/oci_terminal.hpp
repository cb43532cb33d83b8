// The terminal of a container process with process.terminal on FreeBSD: a
// pseudo-terminal made on the host, whose master goes to the caller's
// --console-socket with SCM_RIGHTS (as runc hands it to conmon) and whose
// slave the process gets as stdin, stdout, stderr and controlling terminal
// (CommandRunner::spawn with terminal_session). The jail needs no /dev/pts
// of its own: the process holds the descriptor.
#pragma once

#include <filesystem>

#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::jail {

/// Throws unless a console socket was given for a process.terminal process.
void require_console_socket(const std::filesystem::path& console_socket);

/// Makes the pty, sends its master to `console_socket` and returns the
/// slave. Throws naming the step that failed; nothing is left then.
sdk::UniqueFd terminal_for(const std::filesystem::path& console_socket);

}  // namespace iocell::plugins::jail
