#include "oci_terminal.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace iocell::plugins::jail {

namespace {

std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

sdk::UniqueFd connect_console(const std::filesystem::path& socket) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket.string();
  if (path.size() >= sizeof addr.sun_path) throw std::runtime_error("--console-socket " + path + ": path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  sdk::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw sys_error("cannot connect to --console-socket " + path);
  return fd;
}

void send_fd(int sock, int fd, const std::string& name) {
  std::string text = name;
  iovec iov{text.data(), text.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  if (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) throw sys_error("cannot send the pty to --console-socket");
}

}  // namespace

void require_console_socket(const std::filesystem::path& console_socket) {
  if (console_socket.empty())
    throw std::runtime_error("process.terminal: the process's terminal goes to --console-socket, and none was given");
}

sdk::UniqueFd terminal_for(const std::filesystem::path& console_socket) {
  require_console_socket(console_socket);
  const sdk::UniqueFd sock = connect_console(console_socket);
  // O_NOCTTY: the pty must never become this process's terminal.
  sdk::UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY));
  if (!master) throw sys_error("cannot open a pseudo-terminal (posix_openpt)");
  if (::fcntl(master.get(), F_SETFD, FD_CLOEXEC) != 0) throw sys_error("fcntl");
  if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) throw sys_error("cannot unlock the pseudo-terminal");
  const char* name = ::ptsname(master.get());
  if (!name) throw sys_error("ptsname");
  const std::string slave_name = name;
  sdk::UniqueFd slave(::open(slave_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw sys_error("cannot open " + slave_name);
  send_fd(sock.get(), master.get(), slave_name);
  return slave;
}

}  // namespace iocell::plugins::jail
