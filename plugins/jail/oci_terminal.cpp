#include "oci_terminal.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <iocell/sdk/console_socket.hpp>
#include <iocell/support/io.hpp>

namespace iocell::plugins::jail {

void require_console_socket(const std::filesystem::path& console_socket) {
  if (console_socket.empty())
    throw std::runtime_error("process.terminal: the process's terminal goes to --console-socket, and none was given");
}

sdk::UniqueFd terminal_for(const std::filesystem::path& console_socket) {
  require_console_socket(console_socket);
  const sdk::UniqueFd sock = sdk::oci::connect_console_socket(console_socket);
  // O_NOCTTY: the pty must never become this process's terminal.
  sdk::UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY));
  if (!master) throw support::sys_error("cannot open a pseudo-terminal (posix_openpt)");
  if (::fcntl(master.get(), F_SETFD, FD_CLOEXEC) != 0) throw support::sys_error("fcntl");
  if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) throw support::sys_error("cannot unlock the pseudo-terminal");
  const char* name = ::ptsname(master.get());
  if (!name) throw support::sys_error("ptsname");
  const std::string slave_name = name;
  sdk::UniqueFd slave(::open(slave_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw support::sys_error("cannot open " + slave_name);
  sdk::oci::send_console(sock.get(), master.get(), slave_name.c_str());
  return slave;
}

}  // namespace iocell::plugins::jail
