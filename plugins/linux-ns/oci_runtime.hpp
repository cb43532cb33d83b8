// The OCI side of the linux-ns runtime (sdk/oci.hpp): runc's process model.
// create forks, in the caller's cgroups and new namespaces, the container's
// first process; it builds the root, then blocks reading exec.fifo in the
// state directory until start writes it, and execs the user's program as
// the namespace's pid 1. Being a descendant of the caller, it is reaped by
// the subreaper above (conmon), which so learns its exit status.
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/oci.hpp>

namespace iocell::plugins::linux_ns {

class LinuxOciRuntime : public sdk::oci::Runtime {
 public:
  explicit LinuxOciRuntime(const sdk::HostContext& host) : m_host(host) {}
  sdk::oci::Handle create(const sdk::oci::Container& c, const std::filesystem::path& state_dir,
                          const sdk::oci::Console& console) override;
  void start(const sdk::oci::Handle& h) override;
  sdk::oci::Status status(const sdk::oci::Handle& h) override;
  void kill(const sdk::oci::Handle& h, int signal, bool all) override;
  ExecResult exec(const sdk::oci::Handle& h, const sdk::oci::Container& c, const sdk::oci::Process& p,
                  const sdk::oci::Console& console, bool detach) override;
  void remove(const sdk::oci::Handle& h, const sdk::oci::Container& c) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::linux_ns
