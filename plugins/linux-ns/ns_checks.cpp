#include "ns_checks.hpp"

namespace iocell::plugins::linux_ns {

sdk::HostCheck namespaces_check(const std::filesystem::path& proc_ns) {
  std::string found, missing;
  // A jail is a mount, PID, UTS, IPC, network and cgroup namespace (enter.cpp).
  for (const char* ns : {"mnt", "pid", "uts", "ipc", "net", "cgroup"}) {
    std::error_code ec;
    std::string& list = std::filesystem::exists(proc_ns / ns, ec) ? found : missing;
    list += (list.empty() ? "" : " ") + std::string(ns);
  }
  if (missing.empty()) return {"namespaces", true, found, ""};
  return {"namespaces", false, "missing: " + missing,
          "a kernel built with CONFIG_NAMESPACES and the missing kinds (CONFIG_PID_NS, CONFIG_NET_NS, CONFIG_CGROUPS, ...)"};
}

}  // namespace iocell::plugins::linux_ns
