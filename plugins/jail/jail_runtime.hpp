// sdk::Runtime over jail(8), jexec(8) and jls(8).
//
// create()  jail -i -c with every parameter built from the properties
//           (jail_params.cpp), no exec.start: the core runs it. Then what
//           jail(8) cannot do from a command line: delegated ZFS datasets
//           (zfs jail), linprocfs/linsysfs mounts.
// destroy() jail(8) takes removal steps only from a config entry, never from
//           the command line it was created with (freebsd-commands.md §1.3):
//           `jail -r NAME` alone would ignore stop.timeout and leave devfs,
//           fdescfs, procfs and fstab mounts behind. So destroy feeds jail(8)
//           a one-line config on stdin holding stop.timeout (`jail -f - -r`),
//           then unmounts itself, in reverse order, what create's parameters
//           mounted, as listed by `mount -p`.
// chroot()  runs the command in a temporary jail with IPv4 and IPv6
//           disabled rather than chroot(8): a chroot leaves the command with
//           host root powers (raw devices, kernel modules, the host network);
//           the jail confines it (peers.md §5B).
#pragma once

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/runtime.hpp>

#include <memory>

#include "oci_runtime.hpp"

namespace iocell::plugins::jail {

class JailRuntime : public sdk::Runtime {
 public:
  explicit JailRuntime(const sdk::HostContext& host) : m_host(host) {}

  std::string name() const override { return "jail"; }
  /// MAXHOSTNAMELEN (sys/param.h) counts the NUL: host.hostname holds 255.
  std::size_t hostname_max() const override { return 255; }
  sdk::RunState create(sdk::JailSpec& spec) override;
  void destroy(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  std::vector<sdk::RunState> running() override;
  sdk::CommandResult exec(const sdk::JailSpec& spec, const sdk::RunState& state, const sdk::ExecRequest& req) override;
  void kill_processes(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void check_fstab(const sdk::JailSpec& spec, const std::string& text) override;
  void set_live(const sdk::JailSpec& spec, const sdk::RunState& state, const std::string& property,
                const std::string& value) override;
  sdk::CommandResult chroot(const sdk::JailSpec& spec, const sdk::ExecRequest& req) override;
  sdk::oci::Runtime* oci() override;

 private:
  sdk::CommandRunner& run() { return *m_host.runner; }
  void warn(const std::string& msg);
  void mount_linux_fs(const sdk::JailSpec& spec, const char* fstype, const char* rel);
  void unmount_all(const sdk::JailSpec& spec, std::vector<std::string>& errors);
  sdk::HostContext m_host;
  std::unique_ptr<JailOciRuntime> m_oci;
};

}  // namespace iocell::plugins::jail
