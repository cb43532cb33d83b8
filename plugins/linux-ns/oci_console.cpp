#include "oci_console.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include <iocell/sdk/console_socket.hpp>

namespace iocell::plugins::linux_ns {

void take_terminal(int sock) {
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw sys_error("cannot open the container's /dev/ptmx");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) throw sys_error("cannot unlock the pty");
  // The peer is opened through the master: no path in /dev/pts is trusted.
  UniqueFd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw sys_error("cannot open the pty's peer");

  sdk::oci::send_console(sock, master.get(), "/dev/ptmx");
  master.reset();

  if (::setsid() < 0 && errno != EPERM) throw sys_error("setsid");
  if (::ioctl(slave.get(), TIOCSCTTY, 0) != 0) throw sys_error("cannot make the pty the controlling terminal");
  for (int target = 0; target <= 2; ++target)
    if (::dup2(slave.get(), target) < 0) throw sys_error("dup2 of the pty");
}

}  // namespace iocell::plugins::linux_ns
