#include "freebsd_update.hpp"
#include "freebsd_update_plugin.hpp"

namespace iocell::plugins::freebsd_update {

namespace {
std::unique_ptr<sdk::Updater> make(const sdk::HostContext& host) { return std::make_unique<FreebsdUpdate>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept { r.add_updater("freebsd-update", sdk::kFreeBSD, &make); }

}  // namespace iocell::plugins::freebsd_update
