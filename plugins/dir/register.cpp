#include "dir_plugin.hpp"
#include "dir_storage.hpp"

namespace iocell::plugins::dir {

namespace {
std::unique_ptr<sdk::Storage> make_dir(const sdk::HostContext& host) { return std::make_unique<DirStorage>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_storage("dir", sdk::kAnyOs, &make_dir); }

}  // namespace iocell::plugins::dir
