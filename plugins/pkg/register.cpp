#include "pkg_packages.hpp"
#include "pkg_plugin.hpp"
#include "pkgbase_updater.hpp"

namespace iocell::plugins::pkg {

namespace {
std::unique_ptr<sdk::Packages> make_packages(const sdk::HostContext& host) { return std::make_unique<PkgPackages>(host); }
std::unique_ptr<sdk::Updater> make_updater(const sdk::HostContext& host) { return std::make_unique<PkgbaseUpdater>(host); }
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_packages("pkg", sdk::kFreeBSD, &make_packages);
  r.add_updater("pkgbase", sdk::kFreeBSD, &make_updater);
}

}  // namespace iocell::plugins::pkg
