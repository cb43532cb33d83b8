// iocell receive: the receiving side of a replication (ops/replicate.hpp).
// Everything the sender says is untrusted: its dataset names are checked
// against the jail's own, its streams go through the storage's checked
// receive, and its config is held to --trust like an imported manifest.
#include <iocell/core/ops/replicate.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/snapshots.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/sdk/temp_names.hpp>

#include "replicate_pipes.hpp"
#include "replicate_wire.hpp"

namespace iocell::core {
namespace {

using nlohmann::json;
using replication::Pipe;
using replication::Worker;

std::string string_at(const json& obj, const std::string& key) {
  if (!obj.contains(key) || !obj[key].is_string()) throw std::runtime_error("the sender's message has no " + key);
  return obj[key].get<std::string>();
}

std::string below(const std::string& top, const std::string& rel) { return rel.empty() ? top : top + "/" + rel; }

json state_of(sdk::Storage& storage, const std::string& landing, const std::vector<std::string>& rels) {
  json datasets = json::object();
  for (const auto& rel : rels) {
    const sdk::ReceiveState st = storage.prepare_receive(below(landing, rel));
    datasets[rel] = {{"snapshots", st.snapshots}, {"token", st.resume_token}};
  }
  return {{"datasets", datasets}};
}

void receive_stream(sdk::Storage& storage, wire::Channel& channel, const std::string& dataset, bool resume) {
  Pipe pipe;
  const int from = pipe.read_end.get();
  Worker worker([&] { storage.receive_delta(dataset, from); }, [&] { pipe.read_end.reset(); });
  std::uint64_t bytes = 0;
  bool reader_quit = false;
  bool whole = false;
  try {
    whole = channel.copy_stream(pipe.write_end.get(), bytes, reader_quit);
  } catch (...) {
    pipe.write_end.reset();  // a cut stream: the storage sees its end and fails
    try {
      worker.join();
    } catch (...) {
    }
    throw;
  }
  pipe.write_end.reset();
  if (!whole) {
    try {
      worker.join();
    } catch (...) {
    }
    // A resume the sender cannot make (its snapshot is gone) would be
    // asked for again and again: the next transfer starts over instead.
    if (resume) storage.abandon_resume(dataset);
    throw std::runtime_error("the sending side could not make the stream of " + dataset);
  }
  worker.join();
}

// The sender's config over this host's defaults. What the filter or the
// grammar refuses keeps the default; it is reported only where the
// sender's value differed from that default.
PropertyValues received_config(Context& ctx, const std::string& uuid, const json& config, const TrustGrant& trust,
                               std::vector<std::string>& dropped) {
  if (!config.is_object()) throw std::runtime_error("the sender's config is not an object");
  PropertyValues props;
  for (const auto& [k, v] : config.items()) {
    if (!v.is_string()) throw std::runtime_error("the sender's property " + k + " is not a string");
    props[k] = v.get<std::string>();
  }
  PropertyValues cfg = builtin_defaults(ctx.os());
  // The name iocell gives a jail's delegated dataset is no widening.
  cfg["jail_zfs_dataset"] = "iocell/jails/" + uuid + "/data";
  const auto drop = [&](const std::string& k, const std::string& why) {
    if (cfg.count(k) && cfg[k] == props[k]) return;
    ctx.host().log->warn("receive: not taking {}={}: {}", k, props[k], why);
    dropped.push_back(k);
  };
  TrustFiltered filtered = filter_untrusted(props, trust);
  for (const auto& [k, v] : props)
    if (!filtered.kept.count(k)) drop(k, trust_class_name(property_trust(k)));
  for (const auto& [k, v] : filtered.kept) {
    const PropertyDef* def = find_property(k);
    if (!def) {
      drop(k, "no such property");
      continue;
    }
    try {
      // Read-only ones (uuid, type, ...) are the jail's facts, not settings.
      if (def->type != PropType::ReadOnly) validate_property(k, v);
      cfg[k] = v;
    } catch (const std::exception& e) {
      drop(k, e.what());
    }
  }
  if (!ctx.plugins().has(ComponentKind::JailType, cfg["type"], ctx.os()))
    throw Refused("the jail is of type '" + cfg["type"] + "', which no plugin loaded here provides");
  return cfg;
}

}  // namespace

void receive_jail(Context& ctx, int in_fd, int out_fd, const TrustGrant& trust) {
  ::signal(SIGPIPE, SIG_IGN);
  wire::Channel channel(in_fd, out_fd);
  try {
    const json hello = channel.read_message("a replication hello (is the other side iocell send?)");
    if (hello.value("iocell", "") != "replication") throw Refused("the other side is not iocell send");
    if (hello.value("version", 0) != wire::kVersion)
      throw Refused("the sender speaks replication version " + std::to_string(hello.value("version", 0)) + "; this iocell speaks " +
                    std::to_string(wire::kVersion));
    const std::string uuid = string_at(hello, "uuid");
    if (!Inventory::is_uuid(uuid)) throw Refused("the sender names the jail '" + uuid + "', which is no UUID");
    std::vector<std::string> rels;
    for (const auto& r : hello.value("datasets", json::array())) {
      if (!r.is_string() || std::find(kJailDatasetNames.begin(), kJailDatasetNames.end(), r.get<std::string>()) == kJailDatasetNames.end())
        throw Refused("the sender names a dataset " + r.dump() + "; a jail's are its home, root and data");
      rels.push_back(r.get<std::string>());
    }
    if (rels.empty() || rels.front() != "") throw Refused("the sender's datasets do not start with the jail's home");
    sdk::Storage& storage = ctx.storage();
    if (string_at(hello, "storage") != storage.name())
      throw Refused("the jail comes as " + string_at(hello, "storage") + " streams; this root uses " + storage.name() + " storage");
    if (!storage.replicates()) throw Refused(storage.why_no_replication());

    std::optional<FileLock> jail_lock(std::in_place, ctx.locks_dir() / uuid, "jail " + uuid);
    const std::string final_ds = "jails/" + uuid;
    const bool update = storage.exists(final_ds);
    if (update) {
      const JailRecord here = ctx.inventory().resolve(uuid);
      if (here.dataset != final_ds) throw Refused(uuid + " is a template here");
      if (run_state(ctx, here)) throw Refused(uuid + " (" + here.tag() + ") is running here; stop it to receive an update");
    }
    const std::string landing = update ? final_ds : "jails/" + std::string(sdk::temp_names::kIncoming) + uuid;

    json plan;
    for (;;) {
      channel.send_message(state_of(storage, landing, rels));
      plan = channel.read_message("a plan");
      for (const auto& s : plan.value("streams", json::array())) {
        const std::string rel = string_at(s, "dataset");
        if (std::find(rels.begin(), rels.end(), rel) == rels.end()) throw Refused("the sender sends a stream of " + rel + ", which it did not announce");
        const std::string ds = below(landing, rel);
        receive_stream(storage, channel, ds, s.value("resume", false));
        channel.send_message({{"received", rel}});
      }
      if (plan.value("final", false)) break;
    }

    std::vector<std::string> dropped;
    PropertyValues cfg = received_config(ctx, uuid, plan.value("config", json::object()), trust, dropped);
    const bool cutover = plan.value("cutover", false);
    // A copy must not start at boot beside its source; after a cutover it
    // is the jail, and starts at boot where the source did.
    const json sent = plan.value("config", json::object());
    std::string boot = "off";
    if (cutover && sent.contains("boot") && sent["boot"].is_string()) {
      boot = sent["boot"].get<std::string>();
      validate_property("boot", boot);
    }
    cfg["boot"] = boot;
    dropped.erase(std::remove(dropped.begin(), dropped.end(), "boot"), dropped.end());
    cfg["hostid"] = host_id(ctx);
    cfg["template"] = "no";
    const std::string home = storage.mountpoint(landing).string();
    // The sender's fstab names its host's paths.
    if (!trust.covers(kTrustFstab)) sdk::SafeRoot(home).write_file("fstab", "");
    {
      FileLock inventory_lock(ctx.locks_dir() / "inventory", "the jail inventory");
      std::string tag = cfg.count("tag") ? cfg["tag"] : "";
      if (tag.empty()) tag = "received_" + uuid.substr(0, 8);
      if (auto other = ctx.inventory().find_tag(tag); other && other->uuid != uuid) tag += "_" + uuid.substr(0, 8);
      cfg["tag"] = tag;
      ctx.inventory().index_tag(tag, uuid);
      write_config(std::filesystem::path(home) / "config.json", cfg);
      if (!update) storage.rename(landing, final_ds);
    }
    const std::string keep = string_at(plan, "snapshot");
    json datasets = json::object();
    for (const auto& rel : rels) {
      const std::string ds = below(final_ds, rel);
      std::vector<std::string> names;
      for (const auto& s : storage.snapshots(ds)) {
        if (s.name != keep && s.name.rfind(kReplicationSnapshotPrefix, 0) == 0) {
          try {
            storage.destroy_snapshot(ds, s.name, false);
            continue;
          } catch (const std::exception& e) {
            ctx.host().log->warn("keeping {}@{}: {}", ds, s.name, e.what());
          }
        }
        names.push_back(s.name);
      }
      datasets[rel] = {{"snapshots", names}};
    }
    json answer = {{"datasets", datasets}, {"config", cfg}, {"dropped", dropped}, {"started", false}};
    jail_lock.reset();
    if (cutover) {
      try {
        start_jail(ctx, ctx.inventory().resolve(uuid));
        answer["started"] = true;
      } catch (const std::exception& e) {
        answer["start_error"] = e.what();
      }
    }
    channel.send_message(answer);
  } catch (const std::exception& e) {
    try {
      channel.send_message({{"error", e.what()}});
    } catch (...) {
    }
    throw;
  }
}

}  // namespace iocell::core
