// seedjail: a jail type from outside the iocell tree. Its root is an
// independent copy of the release with a seed file that says where it came
// from. The core creates, starts, snapshots, clones and destroys it without
// knowing its name: it asks the traits below.
#include <memory>
#include <stdexcept>
#include <string>

#include <iocell/sdk/plugin.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace seedjail {

namespace sdk = iocell::sdk;

class SeedJail final : public sdk::JailType {
 public:
  explicit SeedJail(const sdk::HostContext& host) : m_host(host) {}

  std::string name() const override { return "seedjail"; }
  // Built from a release (needs_release), patched in place by the updater
  // (system_updates: Own), its release changed only by upgrade
  // (release_change: ByUpgrade), a clone of it is a seedjail too
  // (clone_type): the SDK's defaults say all that. No create shorthand.

  void provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) override {
    if (req.release_dataset.empty() || !storage.exists(req.release_dataset))
      throw std::runtime_error("release " + req.release + " is not fetched: run iocell fetch release=" + req.release + " first");
    const std::string root = req.dataset + "/root";
    storage.copy(req.release_dataset, root, {});
    if (m_host.dry_run) return;
    // The release's files are not trusted: the seed is written without
    // following a link planted at etc or etc/seed.
    sdk::SafeRoot jail(storage.mountpoint(root));
    jail.make_dirs("etc");
    jail.write_file("etc/seed", "seedjail " + req.uuid + " from " + req.release + "\n");
  }

  // A clone's root may need mounting again after a reboot (overlay clones
  // on the dir storage); the storage knows, and does nothing otherwise.
  void before_start(sdk::Storage& storage, const sdk::JailSpec& spec) override { storage.mount(spec.dataset); }

 private:
  sdk::HostContext m_host;
};

std::unique_ptr<sdk::JailType> make(const sdk::HostContext& host) { return std::make_unique<SeedJail>(host); }

void register_plugin(sdk::Registrar& r) noexcept { r.add_jail_type("seedjail", sdk::kAnyOs, &make); }

}  // namespace seedjail

IOCELL_PLUGIN("seed-jail", "1.0", iocell::sdk::kAnyOs, seedjail::register_plugin);
