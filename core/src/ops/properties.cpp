#include <algorithm>
#include <optional>
#include <set>

#include <iocell/core/context.hpp>
#include <iocell/core/defaults.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/depends.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/templates.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/sdk/limits.hpp>
#include <iocell/sdk/runtime.hpp>
#include <iocell/sdk/vnet.hpp>

namespace iocell::core {
namespace {

const std::set<std::string> kNative = {"quota", "reservation", "compression", "dedup"};
const std::set<std::string> kNativeReadOnly = {"origin", "mountpoint", "compressratio", "available", "used"};

std::string native_value(Context& ctx, const JailRecord& rec, const std::string& name) {
  if (name == "mountpoint") return rec.home.string();
  if (name == "origin") {
    std::string o = ctx.storage().origin(rec.dataset + "/root");
    return o.empty() ? "-" : o;
  }
  return ctx.storage().get_property(rec.dataset, name);
}

}  // namespace

void save_config(Context& ctx, const JailRecord& rec) {
  if (!ctx.dry_run()) write_config(rec.config_file(), rec.props);
}

namespace {
// The new tag's link goes first and the old one last: a crash in between
// leaves a stale link, which the index ignores, never a tag without one.
void save_retagged(Context& ctx, const JailRecord& rec, const std::string& old_tag) {
  if (old_tag.empty()) return save_config(ctx, rec);
  ctx.inventory().index_tag(rec.tag(), rec.uuid);
  save_config(ctx, rec);
  ctx.inventory().unindex_tag(old_tag, rec.uuid);
}
}  // namespace

void check_hostname_fits(Context& ctx, const std::string& given, const std::string& hostname) {
  // The grammar allows what any runtime could take; the runtime that will
  // start the jail knows its own limit.
  sdk::Runtime& runtime = ctx.runtime();
  const std::size_t max = runtime.hostname_max();
  if (hostname.size() <= max) return;
  std::string msg = "invalid value '" + given + "' for property host_hostname (" + std::to_string(hostname.size()) + " characters";
  if (hostname != given) msg += " as '" + hostname + "'";
  throw UsageError(msg + "): allowed: at most " + std::to_string(max) + " characters with the " + runtime.name() + " runtime of this host");
}

namespace {

// What only the limits backend knows (a resource or an action it cannot
// enforce on this host) is refused at set, not at the next start or cap.
// Turning a limit off never makes a start fail, so only new limits ask.
void check_limits(Context& ctx, const JailRecord& rec, const PropertyValues& changes) {
  std::string names;
  bool adds = false;
  for (const auto& [k, v] : changes) {
    if (find_property(k)->category != PropCategory::Rctl) continue;
    names += (names.empty() ? "" : " ") + k + "=" + v;
    adds = adds || v != "off";
  }
  if (!adds) return;
  sdk::JailSpec spec = ctx.inventory().spec(rec);
  for (const auto& [k, v] : changes) spec.props.set(k, v);
  std::string why, backend;
  try {
    sdk::Limits& limits = ctx.limits();
    why = limits.refuses(spec);
    backend = limits.name();
  } catch (const Refused&) {
    return;  // no limits plugin here: start says so, for the jail that needs one
  }
  if (why.empty()) return;
  throw UsageError("cannot set " + names + ": the " + backend + " limits of this host refuse it: " + why);
}

// rlimits=off takes the rules away; a cpuset applies with or without them.
void apply_limits_now(Context& ctx, const JailRecord& rec, const sdk::RunState& state, const PropertyValues& changes) {
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  sdk::Limits& limits = ctx.limits();
  const bool on = spec.props.enabled("rlimits");
  if (!on && changes.count("rlimits")) limits.remove(spec);
  if (on || spec.props.is_set("cpuset") || changes.count("cpuset")) limits.apply(spec, state);
}

}  // namespace

void set_properties(Context& ctx, const JailRecord& rec_in, const PropertyValues& given) {
  PropertyValues changes = given;
  for (const auto& [k, v] : given) {
    require_property(k);
    if (k == "type" || k == "uuid" || k == "host_hostuuid" || k == "last_started")
      throw UsageError("property " + k + " is read-only");
    validate_setting(k, v);
    if (k == "host_hostname") check_hostname_fits(ctx, v, v);
    if (k == "depends") changes[k] = canonical_depends(ctx, rec_in.uuid, v);
  }
  FileLock lock(ctx.locks_dir() / rec_in.uuid, "jail " + rec_in.uuid);
  JailRecord rec = ctx.inventory().reload(rec_in);
  const auto state = run_state(ctx, rec);
  // Held to the end: another command must not take the tag between the
  // check and the write.
  std::optional<FileLock> inventory_lock;
  const std::string old_tag = rec.tag();
  const bool retag = changes.count("tag") && changes.at("tag") != old_tag;
  if (retag) {
    inventory_lock.emplace(ctx.locks_dir() / "inventory", "the jail inventory");
    if (auto other = ctx.inventory().find_tag(changes.at("tag")); other && other->uuid != rec.uuid)
      throw Refused("tag '" + changes.at("tag") + "' is already used by " + other->uuid);
  }
  for (const auto& [k, v] : changes) {
    const PropertyDef* d = find_property(k);
    if (state && d->live == LiveChange::Refused && rec.get(k) != v)
      throw Refused("property " + k + " cannot change while jail " + rec.uuid + " (" + rec.tag() + ") runs; stop it first");
  }
  if (changes.count("vlans") || changes.count("interfaces")) {
    // Each vnetN of vlans must be an interface of the jail as it will be.
    const auto value = [&](const std::string& k) { return changes.count(k) ? changes.at(k) : rec.get(k); };
    try {
      sdk::vnet::vlans_of(value("vlans"), sdk::vnet::parse_interfaces(value("interfaces")));
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
  }
  const auto release_change = [&] { return ctx.jail_type(rec.get("type")).release_change(); };
  if (changes.count("release") && changes.at("release") != rec.get("release") && release_change() == sdk::ReleaseChange::ByUpgrade)
    throw Refused("release of a jail of type " + rec.get("type") +
                  " changes with iocell upgrade, not set (only types that attach their release at start switch it by set)");
  if (changes.count("release") && release_change() == sdk::ReleaseChange::Fetched && !release_exists(ctx, changes.at("release")))
    throw NotFound("release " + changes.at("release") + " is not fetched: run iocell fetch release=" + changes.at("release"));

  const bool limits_change = std::any_of(changes.begin(), changes.end(), [](const auto& kv) {
    return find_property(kv.first)->category == PropCategory::Rctl;
  });
  if (limits_change) check_limits(ctx, rec, changes);

  // Apply what has an effect beyond config.json, then record everything.
  for (const auto& [k, v] : changes) {
    if (kNative.count(k)) ctx.storage().set_property(rec.dataset, k, v);
    if (state && k.rfind("allow_", 0) == 0 && find_property(k)->live == LiveChange::Now && rec.get(k) != v) {
      sdk::JailSpec spec = ctx.inventory().spec(rec);
      ctx.runtime().set_live(spec, *state, k, v);
    }
    if (k == "host_hostname" && !ctx.dry_run()) {
      // A stopped jail's root may be unmounted (an overlay clone after a
      // reboot): written there, the change would hide under the next mount.
      StoppedRootMount files(ctx, rec);
      write_rc_conf_hostname(rec.home / "root", v);
    }
    if (k == "hack88" && rec.get(k) != v) {
      // The 88-character mount path limit of FreeBSD: mount the jail under
      // the first 8 characters of its UUID instead (backends that mount at
      // a path; others have no such limit and keep their paths).
      if (ctx.storage().movable_mountpoints()) {
        const auto parent = rec.home.parent_path();
        const auto home = parent / (v == "1" ? rec.uuid.substr(0, 8) : rec.uuid);
        ctx.storage().set_property(rec.dataset, "mountpoint", home.string());
        rec.home = home;
      }
    }
  }
  if (changes.count("template")) {
    const bool want = changes.at("template") == "yes";
    PropertyValues rest = changes;
    rest.erase("template");
    for (const auto& [k, v] : rest) rec.props[k] = v;
    save_retagged(ctx, rec, retag ? old_tag : "");
    if (want != rec.is_template()) set_template(ctx, rec, want);
    return;
  }
  for (const auto& [k, v] : changes) rec.props[k] = v;
  save_retagged(ctx, rec, retag ? old_tag : "");
  // The limits are live properties: a running jail gets them now, as the
  // man page says, not at the next cap or start.
  if (limits_change && state) apply_limits_now(ctx, rec, *state, changes);
}

std::string get_property(Context& ctx, const JailRecord& rec, const std::string& name) {
  if (name == "state") return run_state(ctx, rec) ? "up" : "down";
  if (name == "jid") {
    auto s = run_state(ctx, rec);
    return s ? std::to_string(s->jid) : "-";
  }
  if (kNativeReadOnly.count(name) || kNative.count(name)) return native_value(ctx, rec, name);
  require_property(name);
  auto eff = ctx.inventory().effective(rec);
  auto it = eff.find(name);
  return it == eff.end() ? "none" : it->second;
}

PropertyValues all_properties(Context& ctx, const JailRecord& rec) {
  PropertyValues eff = ctx.inventory().effective(rec);
  for (const auto& n : kNativeReadOnly) eff[n] = native_value(ctx, rec, n);
  for (const auto& n : kNative) {
    std::string v = native_value(ctx, rec, n);
    if (v != "-") eff[n] = v;
  }
  auto state = run_state(ctx, rec);
  eff["state"] = state ? "up" : "down";
  eff["jid"] = state ? std::to_string(state->jid) : "-";
  return eff;
}

void reset_jail(Context& ctx, const JailRecord& rec_in) {
  static const std::set<std::string> kept = {"uuid", "tag", "type", "release", "template", "hostid",
                                             "jail_zfs_dataset", "last_started", "host_hostname"};
  FileLock lock(ctx.locks_dir() / rec_in.uuid, "jail " + rec_in.uuid);
  JailRecord rec = ctx.inventory().reload(rec_in);
  PropertyValues fresh = builtin_defaults(ctx.os());
  for (const auto& [k, v] : read_defaults(ctx)) fresh[k] = v;
  for (const auto& [k, v] : rec.props) {
    if (kept.count(k) || (k.size() > 4 && k.compare(k.size() - 4, 4, "_mac") == 0)) fresh[k] = v;
  }
  for (const auto& n : kNative) {
    if (fresh.count(n) && rec.get(n) != fresh[n]) ctx.storage().set_property(rec.dataset, n, fresh[n]);
  }
  rec.props = fresh;
  save_config(ctx, rec);
}

}  // namespace iocell::core
