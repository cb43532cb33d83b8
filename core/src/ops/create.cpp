#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/defaults.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/address_series.hpp>
#include <iocell/core/ops/depends.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/core/trust.hpp>
#include <iocell/core/jail_types.hpp>
#include <iocell/core/release/releases.hpp>
#include <iocell/sdk/temp_names.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::core {
namespace {

// What the type read from what it built the jail from (an image's command,
// user, environment): taken where the admin gave nothing, each value checked
// like one given by hand. Whoever made the image chose these values, so
// nothing that acts on the host or widens the jail's privileges is taken.
bool take_derived(Context& ctx, const CreateRequest& req, const sdk::PropertyMap& derived, PropertyValues& props) {
  bool changed = false;
  for (const auto& [k, v] : derived.all()) {
    if (req.props.count(k)) continue;
    if (property_trust(k) != Trust::Plain) {
      ctx.host().log->warn("the jail type proposes {}={}, which acts on the host or widens the jail's privileges; not taken (iocell set {}=... gives it)", k, v, k);
      continue;
    }
    validate_property(k, v);
    props[k] = v;
    changed = true;
  }
  return changed;
}

// Properties that only steer `create` and are never stored.
const std::set<std::string> kCreateOnly = {"count", "start"};
// Properties create sets itself.
const std::set<std::string> kIdentity = {"uuid", "type", "host_hostuuid", "last_started"};

void validate_user_props(const PropertyValues& props) {
  for (const auto& [k, v] : props) {
    if (kCreateOnly.count(k)) continue;  // checked by the caller
    if (kIdentity.count(k)) throw UsageError("property " + k + " is set by iocell and cannot be given");
    if (k == "template") throw UsageError("create makes jails; turn one into a template with iocell set template=yes TARGET");
    validate_property(k, v);
  }
}

std::map<std::string, std::string> native_options(const PropertyValues& props) {
  std::map<std::string, std::string> out;
  for (const char* p : {"compression", "dedup"}) {
    auto it = props.find(p);
    if (it != props.end()) out[p] = it->second;
  }
  return out;
}

}  // namespace

bool release_exists(Context& ctx, const std::string& release) { return release_fetched(ctx, release); }

std::string default_release(Context& ctx) {
  if (ctx.os() == sdk::HostOs::FreeBSD) return ctx.host_release();
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(ctx.root() / "releases", ec)) {
    const auto name = e.path().filename().string();
    if (!name.empty() && name[0] != '.' && std::filesystem::is_directory(e.path() / "root")) found.push_back(name);
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) throw UsageError("no release fetched yet: run iocell fetch release=R first (iocell list -r shows fetched releases)");
  std::string names;
  for (const auto& f : found) names += " " + f;
  throw UsageError("several releases are fetched; choose one with release=R:" + names);
}

std::vector<JailRecord> create_jails(Context& ctx, const CreateRequest& req) {
  validate_user_props(req.props);
  if (req.count < 1 || req.count > 1000) throw UsageError("invalid count=" + std::to_string(req.count) + ": allowed: 1 to 1000");
  if (auto it = req.props.find("host_hostname"); it != req.props.end())
    check_hostname_fits(ctx, it->second, req.count > 1 ? it->second + "_" + std::to_string(req.count) : it->second);
  // Resolved once, before anything is made: a jail that does not exist
  // refuses the whole command.
  std::optional<std::string> depends;
  if (auto it = req.props.find("depends"); it != req.props.end()) depends = canonical_depends(ctx, "", it->second);
  sdk::JailType& type = create_type(ctx, req.type, req.flag);
  sdk::Storage& storage = ctx.storage();

  std::string release;
  if (type.needs_release()) {
    auto it = req.props.find("release");
    release = it != req.props.end() ? it->second : default_release(ctx);
    if (!release_exists(ctx, release))
      throw NotFound("release " + release + " is not fetched: run iocell fetch release=" + release + " first");
  } else if (auto it = req.props.find("release"); it != req.props.end()) {
    release = it->second;
  }

  const PropertyValues defaults = read_defaults(ctx);
  PropertyValues base = layered_defaults(defaults, {});
  if (ctx.os() == sdk::HostOs::FreeBSD && !req.props.count("vnet") && !defaults.count("vnet"))
    base["vnet"] = host_has_vnet(ctx) ? "on" : "off";

  std::vector<JailRecord> made;
  FileLock inventory_lock(ctx.locks_dir() / "inventory", "the jail inventory");
  auto& inv = ctx.inventory();
  std::set<std::string> taken;  // tags made by this command

  const bool tag_given = req.props.count("tag") > 0;
  const std::string tag_base = tag_given ? req.props.at("tag") : ctx.local_time("%F@%T");
  // Every jail's addresses are known before the first is made: a range that
  // runs out refuses the whole command.
  std::map<std::string, std::vector<std::string>> addresses;
  for (const char* p : {"ip4_addr", "ip6_addr"})
    if (auto it = req.props.find(p); it != req.props.end()) addresses[p] = address_series(p, it->second, req.count);
  for (int i = 1; i <= req.count; ++i) {
    const std::string uuid = ctx.new_uuid();
    std::string tag = req.count > 1 ? tag_base + "_" + std::to_string(i) : tag_base;
    // A date tag is only precise to the second: an untagged create in the
    // same second as another takes the next free "<date>_N" instead of failing.
    const auto used = [&] { return taken.count(tag) > 0 || inv.find_tag(tag).has_value(); };
    bool tag_used = used();
    for (int n = 2; tag_used && !tag_given; ++n) {
      tag = (req.count > 1 ? tag_base + "_" + std::to_string(i) : tag_base) + "_" + std::to_string(n);
      tag_used = used();
    }
    if (tag_used)
      throw Refused("tag '" + tag + "' is already used by another jail; choose another tag=");
    taken.insert(tag);

    PropertyValues props = base;
    for (const auto& [k, v] : req.props)
      if (!kCreateOnly.count(k)) props[k] = v;
    props["uuid"] = uuid;
    props["tag"] = tag;
    props["type"] = type.name();
    props["release"] = release.empty() ? "none" : release;
    props["hostid"] = props.count("hostid") && !props["hostid"].empty() ? props["hostid"] : host_id(ctx);
    if (props["jail_zfs_dataset"].empty()) props["jail_zfs_dataset"] = "iocell/jails/" + uuid + "/data";
    if (req.count > 1 && req.props.count("host_hostname")) props["host_hostname"] = req.props.at("host_hostname") + "_" + std::to_string(i);
    for (const auto& [p, series] : addresses) props[p] = series[static_cast<size_t>(i - 1)];
    if (depends) props["depends"] = *depends;

    const std::string staging = "jails/" + std::string(sdk::temp_names::kNewJail) + uuid;
    const std::string final_ds = "jails/" + uuid;
    sdk::DatasetOptions opts;
    // Only native values the user chose: each backend has its own defaults
    // (zfs: lz4) and refuses what it cannot do.
    PropertyValues chosen = defaults;
    for (const auto& [k, v] : req.props) chosen[k] = v;
    opts.properties = native_options(chosen);
    ctx.host().log->debug("creating {} as {}", uuid, staging);
    storage.create(staging, opts);
    try {
      const auto home = storage.mountpoint(staging);
      // Written out before the release is cloned: on btrfs the snapshot
      // commits the filesystem, and the config's own flush is then free.
      std::optional<PendingFile> config;
      if (!ctx.dry_run()) {
        config.emplace(home / "config.json", render_config(props), 0600);
        config->begin_flush();
      }
      sdk::ProvisionRequest pr{uuid, staging, release, release.empty() ? "" : "releases/" + release + "/root",
                               sdk::PropertyMap(props)};
      sdk::PropertyMap derived;
      pr.derived = &derived;
      type.provision(storage, pr);
      if (take_derived(ctx, req, derived, props) && config) config.emplace(home / "config.json", render_config(props), 0600);
      if (!ctx.dry_run()) {
        inv.index_tag(tag, uuid);
        std::ofstream(home / "fstab").flush();
        write_rc_conf_hostname(home / "root", props.count("host_hostname") && !props["host_hostname"].empty() ? props["host_hostname"] : uuid);
        config->publish(Sync::ContentOnly);
      }
      storage.rename(staging, final_ds);
    } catch (...) {
      try {
        storage.destroy(staging);
      } catch (const std::exception& e) {
        ctx.host().log->warn("cleaning up {} failed: {} (iocell clean removes it)", staging, e.what());
      }
      throw;
    }
    for (const char* p : {"quota", "reservation"}) {
      if (props.count(p) && props[p] != "none") storage.set_property(final_ds, p, props[p]);
    }
    JailRecord rec{uuid, final_ds, storage.mountpoint(final_ds), props};
    made.push_back(rec);
  }
  return made;
}

}  // namespace iocell::core
