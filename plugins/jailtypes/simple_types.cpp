#include "simple_types.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace iocell::plugins::jailtypes {

void require_release(sdk::Storage& storage, const sdk::ProvisionRequest& req) {
  if (req.release_dataset.empty() || !storage.exists(req.release_dataset))
    throw std::runtime_error("release " + (req.release.empty() ? std::string("(none given)") : req.release) +
                             " is not fetched (no " + (req.release_dataset.empty() ? "release dataset" : req.release_dataset) +
                             "); run iocell fetch release=" + (req.release.empty() ? "RELEASE" : req.release) + " first");
}

void ThickJail::provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) {
  require_release(storage, req);
  storage.copy(req.release_dataset, root_dataset(req.dataset), {});
}

void ThickJail::before_start(sdk::Storage& storage, const sdk::JailSpec& spec) { storage.mount(spec.dataset); }

void CloneJail::provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) {
  require_release(storage, req);
  if (req.uuid.empty()) throw std::invalid_argument("clonejail needs the jail's UUID to name its snapshot");
  if (storage.clone_current(req.release_dataset, root_dataset(req.dataset), {})) return;
  // The snapshot is simply taken; only when that fails is the (longer)
  // listing asked whether an interrupted create of this very UUID left it.
  bool had = false;
  try {
    storage.snapshot(req.release_dataset, req.uuid, false);
  } catch (const std::exception&) {
    const auto snaps = storage.snapshots(req.release_dataset);
    had = std::any_of(snaps.begin(), snaps.end(), [&](const auto& s) { return s.name == req.uuid; });
    if (!had) throw;
  }
  try {
    storage.clone(req.release_dataset, req.uuid, root_dataset(req.dataset), {});
  } catch (...) {
    if (!had) {
      try {
        storage.destroy_snapshot(req.release_dataset, req.uuid, false);
      } catch (const std::exception& e) {
        if (m_host.log) m_host.log->warn("cannot remove snapshot {}@{} after a failed clone: {}", req.release_dataset, req.uuid, e.what());
      }
    }
    throw;
  }
}

void CloneJail::before_start(sdk::Storage& storage, const sdk::JailSpec& spec) { storage.mount(spec.dataset); }

void EmptyJail::provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) {
  storage.create(root_dataset(req.dataset), {});
}

}  // namespace iocell::plugins::jailtypes
