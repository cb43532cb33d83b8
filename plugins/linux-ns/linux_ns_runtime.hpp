// The linux-ns runtime (sdk::Runtime for Linux hosts).
#pragma once

#include <climits>
#include <map>
#include <memory>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/runtime.hpp>

#include "jail_record.hpp"
#include "oci_runtime.hpp"
#include "ns_util.hpp"
#include "process.hpp"

namespace iocell::plugins::linux_ns {

class LinuxNsRuntime : public sdk::Runtime {
 public:
  explicit LinuxNsRuntime(const sdk::HostContext& host);
  std::string name() const override { return "linux-ns"; }
  /// sethostname(2) refuses more than HOST_NAME_MAX bytes.
  std::size_t hostname_max() const override { return HOST_NAME_MAX; }

  sdk::RunState create(sdk::JailSpec& spec) override;
  void destroy(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  std::vector<sdk::RunState> running() override;
  std::optional<sdk::RunState> state(const std::string& name) override;
  sdk::CommandResult exec(const sdk::JailSpec& spec, const sdk::RunState& state, const sdk::ExecRequest& req) override;
  void kill_processes(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void check_fstab(const sdk::JailSpec& spec, const std::string& text) override;
  void set_live(const sdk::JailSpec& spec, const sdk::RunState& state, const std::string& property,
                const std::string& value) override;
  sdk::CommandResult chroot(const sdk::JailSpec& spec, const sdk::ExecRequest& req) override;
  sdk::oci::Runtime* oci() override;

 private:
  struct Init {
    UniqueFd pidfd;
    JailRecord rec;
    explicit operator bool() const { return static_cast<bool>(pidfd); }
  };
  /// A pidfd of the jail's init, opened and then checked against the record
  /// so that a recycled pid can never be signalled or entered.
  Init check_init(const std::string& name);
  /// check_init, or what state() checked for this jail just before.
  Init open_init(const sdk::JailSpec& spec, const sdk::RunState& state, bool must_run);
  ProcessPlan plan_for(const sdk::JailSpec& spec, const sdk::ExecRequest& req) const;
  /// TERM to every process of the jail but the init, stop_timeout, KILL.
  void empty_jail(const sdk::JailSpec& spec, pid_t init, int pidfd);

  sdk::HostContext m_host;
  RecordStore m_records;
  std::map<std::string, Init> m_checked;
  std::unique_ptr<LinuxOciRuntime> m_oci;
};

}  // namespace iocell::plugins::linux_ns
