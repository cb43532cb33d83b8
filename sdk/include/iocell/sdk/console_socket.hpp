// The console socket of the OCI runtime command line (runc's
// --console-socket): the runtime connects to the caller's AF_UNIX socket and
// hands it the master of the process's terminal with SCM_RIGHTS, which is
// what conmon and containerd's shim wait for. Shared by the runtime plugins
// of both systems.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <iocell/sdk/safe_root.hpp>
#include <iocell/support/io.hpp>

namespace iocell::sdk::oci {

/// Connects to the caller's console socket. Throws naming the path.
inline UniqueFd connect_console_socket(const std::filesystem::path& socket) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket.string();
  if (path.size() >= sizeof addr.sun_path) throw std::runtime_error("--console-socket " + path + ": path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw support::sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw support::sys_error("cannot connect to --console-socket " + path);
  return fd;
}

/// Sends `master` over the connected socket with the terminal's `name` as
/// the message. Allocates nothing until it fails: the Linux runtime calls it
/// in the container's process.
inline void send_console(int sock, int master, const char* name) {
  iovec iov{const_cast<char*>(name), std::strlen(name)};
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
  std::memcpy(CMSG_DATA(c), &master, sizeof master);
  if (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
    throw support::sys_error("cannot send the terminal to --console-socket");
}

}  // namespace iocell::sdk::oci
