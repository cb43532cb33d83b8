// What `iocell doctor` asks of a Linux host for the runtime: the namespace
// kinds a jail is made of.
#pragma once

#include <filesystem>
#include <vector>

#include <iocell/sdk/doctor.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::linux_ns {

/// The check for the namespaces under `proc_ns` (/proc/self/ns).
sdk::HostCheck namespaces_check(const std::filesystem::path& proc_ns);

class NsChecks : public sdk::HostChecker {
 public:
  explicit NsChecks(const sdk::HostContext&) {}
  std::vector<sdk::HostCheck> checks(const std::vector<sdk::JailSpec>&) override { return {namespaces_check("/proc/self/ns")}; }
};

}  // namespace iocell::plugins::linux_ns
