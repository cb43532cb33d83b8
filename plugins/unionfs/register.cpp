#include "unionfs_plugin.hpp"
#include "unionfs_recorder.hpp"

namespace iocell::plugins::unionfs {

namespace {
std::unique_ptr<sdk::Recorder> make(const sdk::HostContext& host) { return std::make_unique<UnionfsRecorder>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_recorder("unionfs", sdk::kFreeBSD, &make); }

}  // namespace iocell::plugins::unionfs
