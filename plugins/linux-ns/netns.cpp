#include "netns.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

bool jail_has_own_netns(const sdk::PropertyMap& props) {
  if (props.enabled("vnet")) return true;
  return props.get("ip4") != "inherit" && props.get("ip6") != "inherit";
}

void bring_up_loopback() {
  // An ioctl rather than `ip link set lo up`: this runs in the init's
  // parent before the jail's root exists, where no command can be run.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) throw sys_error("cannot open a socket to bring up the jail's loopback");
  ifreq req{};
  std::memcpy(req.ifr_name, "lo", 3);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) throw sys_error("cannot read the flags of the jail's loopback");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) throw sys_error("cannot bring up the jail's loopback");
}

}  // namespace iocell::plugins::linux_ns
