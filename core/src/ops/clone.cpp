#include <fstream>
#include <set>

#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/sdk/temp_names.hpp>

namespace iocell::core {

JailRecord clone_jail(Context& ctx, const JailRecord& source, const std::string& snapshot, const PropertyValues& props) {
  for (const auto& [k, v] : props) {
    if (k == "uuid" || k == "type" || k == "template" || k == "release")
      throw UsageError("property " + k + " of a clone comes from its source and cannot be given");
    validate_property(k, v);
    if (k == "host_hostname") check_hostname_fits(ctx, v, v);
  }
  sdk::Storage& storage = ctx.storage();
  const std::string src_root = source.dataset + "/root";
  if (!snapshot.empty()) {
    bool found = false;
    for (const auto& s : storage.snapshots(src_root)) found = found || s.name == snapshot;
    if (!found) throw NotFound("snapshot " + snapshot + " of " + source.uuid + " (" + source.tag() + ") not found (iocell snaplist shows them)");
  }

  FileLock inventory_lock(ctx.locks_dir() / "inventory", "the jail inventory");
  const std::string uuid = ctx.new_uuid();
  std::string tag = props.count("tag") ? props.at("tag") : source.tag() + "_clone_" + uuid.substr(0, 8);
  if (ctx.inventory().find_tag(tag)) throw Refused("tag '" + tag + "' is already used by another jail; choose another tag=");

  // The clone keeps the source's configuration (a template's settings are
  // the point of it) but gets its own identity.
  static const std::set<std::string> identity = {"uuid", "tag", "host_hostuuid", "host_hostname", "last_started",
                                                 "jail_zfs_dataset", "boot"};
  PropertyValues cfg;
  for (const auto& [k, v] : source.props) {
    if (identity.count(k) || (k.size() > 4 && k.compare(k.size() - 4, 4, "_mac") == 0)) continue;
    cfg[k] = v;
  }
  for (const auto& [k, v] : props) cfg[k] = v;
  cfg["uuid"] = uuid;
  cfg["tag"] = tag;
  cfg["template"] = "no";
  cfg["type"] = ctx.jail_type(source.get("type")).clone_type();
  cfg["jail_zfs_dataset"] = "iocell/jails/" + uuid + "/data";

  const std::string snap = snapshot.empty() ? uuid : snapshot;
  if (snapshot.empty()) storage.snapshot(src_root, snap, false);
  const std::string staging = "jails/" + std::string(sdk::temp_names::kNewJail) + uuid, final_ds = "jails/" + uuid;
  try {
    storage.create(staging, {});
    storage.clone(src_root, snap, staging + "/root", {});
    const auto home = storage.mountpoint(staging);
    if (!ctx.dry_run()) {
      std::ofstream(home / "fstab").flush();  // mounts of the source name its paths: start empty
      write_rc_conf_hostname(home / "root", cfg.count("host_hostname") ? cfg["host_hostname"] : uuid);
      ctx.inventory().index_tag(tag, uuid);
      write_config(home / "config.json", cfg, Sync::ContentOnly);
    }
    storage.rename(staging, final_ds);
  } catch (...) {
    try {
      if (storage.exists(staging)) storage.destroy(staging);
      if (snapshot.empty()) storage.destroy_snapshot(src_root, snap, false);
    } catch (const std::exception& e) {
      ctx.host().log->warn("cleaning up the failed clone failed: {} (iocell clean removes leftovers)", e.what());
    }
    throw;
  }
  return JailRecord{uuid, final_ds, storage.mountpoint(final_ds), cfg};
}

}  // namespace iocell::core
