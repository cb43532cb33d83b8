// sdk::Recorder over overlayfs: mount("overlay", ROOT, lowerdir=ROOT,
// upperdir=UPPER, workdir=<home>/.recorded-work). The lower layer is what
// ROOT shows when the mount is made (a plain directory, or the overlay of a
// dir clone), so the recording starts from the root's current state. The
// work directory must be on the upper layer's filesystem: both live in the
// jail's home, outside the jail.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/recorder.hpp>

namespace iocell::plugins::overlayfs {

struct MountEntry {
  std::string mount_point;
  std::string fstype;
  std::string super_options;
};

/// Entries of a /proc/self/mountinfo text, in order, with octal escapes
/// (\040 for a blank) decoded.
std::vector<MountEntry> parse_mountinfo(const std::string& text);
/// The value of key=value in a comma separated option list.
std::optional<std::string> mount_option(const std::string& options, const std::string& key);

class OverlayRecorder : public sdk::Recorder {
 public:
  explicit OverlayRecorder(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "overlayfs"; }
  void start(const sdk::JailSpec& spec, const std::filesystem::path& upper) override;
  void stop(const sdk::JailSpec& spec) override;
  bool active(const sdk::JailSpec& spec) override;

  static std::filesystem::path work_dir(const sdk::JailSpec& spec) { return spec.home / ".recorded-work"; }

 private:
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::overlayfs
