#include "overlay_recorder.hpp"
#include "overlayfs_plugin.hpp"

namespace iocell::plugins::overlayfs {

namespace {
std::unique_ptr<sdk::Recorder> make(const sdk::HostContext& host) { return std::make_unique<OverlayRecorder>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_recorder("overlayfs", sdk::kLinux, &make); }

}  // namespace iocell::plugins::overlayfs
