// sdk::Recorder over mount_unionfs(8). The first argument of the mount is
// the UPPER layer (recorded/), the second the lower one, which is also the
// mount point (the jail's root): `mount -t unionfs -o
// noatime,copymode=transparent UPPER ROOT`.
#pragma once

#include <filesystem>
#include <string>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/recorder.hpp>

namespace iocell::plugins::unionfs {

class UnionfsRecorder : public sdk::Recorder {
 public:
  explicit UnionfsRecorder(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "unionfs"; }
  void start(const sdk::JailSpec& spec, const std::filesystem::path& upper) override;
  void stop(const sdk::JailSpec& spec) override;
  bool active(const sdk::JailSpec& spec) override;

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::unionfs
