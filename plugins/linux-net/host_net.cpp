#include "host_net.hpp"

#include <sstream>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace iocell::plugins::linux_net {

namespace {

struct IfAddrs {
  ifaddrs* list = nullptr;
  IfAddrs() {
    if (::getifaddrs(&list) != 0) throw std::runtime_error(std::string("getifaddrs: ") + std::strerror(errno));
  }
  ~IfAddrs() { ::freeifaddrs(list); }
};

}  // namespace

std::optional<std::string> interface_with_address(const std::string& address) {
  in_addr v4{};
  in6_addr v6{};
  const bool is4 = ::inet_pton(AF_INET, address.c_str(), &v4) == 1;
  const bool is6 = !is4 && ::inet_pton(AF_INET6, address.c_str(), &v6) == 1;
  if (!is4 && !is6) throw std::runtime_error("not an IP address: '" + address + "'");
  IfAddrs all;
  for (ifaddrs* a = all.list; a; a = a->ifa_next) {
    if (!a->ifa_addr) continue;
    if (is4 && a->ifa_addr->sa_family == AF_INET &&
        std::memcmp(&reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, &v4, sizeof v4) == 0)
      return std::string(a->ifa_name);
    if (is6 && a->ifa_addr->sa_family == AF_INET6 &&
        std::memcmp(&reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, &v6, sizeof v6) == 0)
      return std::string(a->ifa_name);
  }
  return std::nullopt;
}

bool link_exists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

int link_mtu(const std::string& name) {
  sdk::UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock || name.size() >= IFNAMSIZ) return 0;
  ifreq req{};
  std::memcpy(req.ifr_name, name.c_str(), name.size());
  if (::ioctl(sock.get(), SIOCGIFMTU, &req) != 0) return 0;
  return req.ifr_mtu;
}

std::vector<std::string> link_macs() {
  std::vector<std::string> out;
  IfAddrs all;
  for (ifaddrs* a = all.list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET) continue;
    auto* ll = reinterpret_cast<sockaddr_ll*>(a->ifa_addr);
    if (ll->sll_halen != 6) continue;
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0], ll->sll_addr[1], ll->sll_addr[2],
                  ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
    out.emplace_back(buf);
  }
  return out;
}

FileLock::FileLock(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  m_fd = sdk::UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!m_fd) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  while (::flock(m_fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(errno));
  }
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (lines.empty()) {
    std::filesystem::remove(file, ec);
    return;
  }
  const auto tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw std::runtime_error("cannot write " + file.string() + ": " + ec.message());
}

void run_ip_lines(const sdk::HostContext& host, const std::vector<std::string>& lines, const std::string& netns) {
  if (lines.empty()) return;
  std::vector<std::string> head{"ip"};
  if (!netns.empty()) head.insert(head.end(), {"-n", netns});
  if (host.dry_run) {
    for (const auto& l : lines) {
      auto argv = head;
      std::istringstream in(l);
      for (std::string w; in >> w;) argv.push_back(w);
      host.runner->run(argv);
    }
    return;
  }
  sdk::Command cmd(head);
  cmd.argv.insert(cmd.argv.end(), {"-batch", "-"});
  std::string input;
  for (const auto& l : lines) input += l + "\n";
  cmd.stdin_data = input;
  host.runner->check(cmd);
}

}  // namespace iocell::plugins::linux_net
