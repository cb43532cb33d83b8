// iocell send: the sending side of a replication (ops/replicate.hpp).
#include <iocell/core/ops/replicate.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/snapshots.hpp>

#include "replicate_pipes.hpp"
#include "replicate_wire.hpp"

namespace iocell::core {
namespace {

using nlohmann::json;
using replication::Pipe;
using replication::Worker;

struct Stream {
  std::string rel;      ///< the dataset below the jail's home ("" for the home)
  std::string dataset;  ///< here
  std::string from, to, token;
  std::string describe() const {
    const std::string what = rel.empty() ? "home" : rel;
    if (!token.empty()) return what + ": the rest of an interrupted stream";
    return what + (from.empty() ? ": whole, @" + to : ": @" + from + " -> @" + to);
  }
};

}  // namespace

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

namespace {

std::vector<std::string> names_of(sdk::Storage& storage, const std::string& ds) {
  std::vector<std::string> out;
  for (const auto& s : storage.snapshots(ds)) out.push_back(s.name);
  return out;
}

std::vector<std::string> strings_at(const json& obj, const std::string& key) {
  std::vector<std::string> out;
  if (obj.is_object() && obj.contains(key) && obj[key].is_array())
    for (const auto& v : obj[key])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// The streams that bring the receiver's copy of one dataset from what it
// holds to `snaps.back()`.
std::vector<Stream> plan_dataset(sdk::Storage& storage, const std::string& rel, const std::string& ds,
                                 const std::vector<std::string>& snaps, const std::vector<std::string>& theirs) {
  auto common = snaps.rend();
  for (auto it = snaps.rbegin(); it != snaps.rend(); ++it)
    if (std::find(theirs.begin(), theirs.end(), *it) != theirs.end()) {
      common = it;
      break;
    }
  std::vector<Stream> out;
  std::size_t from_index = 0;
  if (common == snaps.rend()) {
    if (!theirs.empty())
      throw Refused("the receiving side's copy of " + (rel.empty() ? std::string("the jail's home") : rel) +
                    " shares no snapshot with this one (it has @" + theirs.back() +
                    "); destroy the copy there to send it whole again");
    out.push_back({rel, ds, "", snaps.front(), ""});
  } else {
    from_index = static_cast<std::size_t>(std::distance(snaps.begin(), common.base()) - 1);
  }
  if (from_index + 1 >= snaps.size()) return out;
  if (storage.delta_carries_intermediates()) {
    out.push_back({rel, ds, snaps[from_index], snaps.back(), ""});
  } else {
    for (std::size_t i = from_index; i + 1 < snaps.size(); ++i) out.push_back({rel, ds, snaps[i], snaps[i + 1], ""});
  }
  return out;
}

// One stream: the storage writes it into a pipe on a thread of its own,
// this thread frames it onto the transport.
std::uint64_t send_stream(Context& ctx, wire::Channel& channel, const Stream& s) {
  sdk::Storage& storage = ctx.storage();
  Pipe pipe;
  const int into = pipe.write_end.get();
  Worker worker(
      [&] {
        if (!s.token.empty()) storage.send_resumed(s.dataset, s.token, into);
        else storage.send_delta(s.dataset, s.from, s.to, into);
      },
      [&] { pipe.write_end.reset(); });
  std::uint64_t bytes = 0, next_report = 256ull << 20;
  char buf[1 << 16];
  try {
    for (;;) {
      const ssize_t n = ::read(pipe.read_end.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(std::string("cannot read the stream: ") + std::strerror(errno));
      if (n == 0) break;
      channel.send_data(buf, static_cast<std::size_t>(n));
      bytes += static_cast<std::uint64_t>(n);
      if (bytes >= next_report) {
        ctx.out() << "  " << s.describe() << ": " << mib(bytes) << " so far" << std::endl;
        next_report += 256ull << 20;
      }
    }
  } catch (...) {
    pipe.read_end.reset();  // the storage's command stops at EPIPE
    try {
      worker.join();
    } catch (...) {
    }
    throw;
  }
  try {
    worker.join();
  } catch (...) {
    channel.end_stream(false);
    throw;
  }
  channel.end_stream(true);
  channel.read_message("the receiving side's word on " + s.describe());
  return bytes;
}

std::string fresh_snapshot_name(Context& ctx, const JailRecord& rec) {
  const std::string base = timestamp_snapshot_name(ctx, kReplicationSnapshotPrefix);
  const auto taken = names_of(ctx.storage(), rec.dataset);
  std::string name = base;
  for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n) name = base + "." + std::to_string(n);
  return name;
}

void prune_replication_snapshots(Context& ctx, const std::vector<std::string>& datasets, const std::string& keep) {
  sdk::Storage& storage = ctx.storage();
  for (const auto& ds : datasets)
    for (const auto& name : names_of(storage, ds))
      if (name != keep && name.rfind(kReplicationSnapshotPrefix, 0) == 0) {
        try {
          storage.destroy_snapshot(ds, name, false);
        } catch (const std::exception& e) {
          ctx.host().log->warn("keeping {}@{}: {}", ds, name, e.what());
        }
      }
}

// The receiver's answer against what was sent: every snapshot of each
// dataset is there, the newest is the one just sent, and the config is
// ours but for what it left out (boot, untrusted properties).
void verify(const json& answer, const std::vector<std::pair<std::string, std::vector<std::string>>>& sent,
            const PropertyValues& props, SendOutcome& out) {
  std::vector<std::string> missing;
  const json datasets = answer.value("datasets", json::object());
  for (const auto& [rel, snaps] : sent) {
    const auto theirs = strings_at(datasets.value(rel, json::object()), "snapshots");
    for (const auto& s : snaps)
      if (std::find(theirs.begin(), theirs.end(), s) == theirs.end()) missing.push_back((rel.empty() ? "home" : rel) + "@" + s);
    if (theirs.empty() || theirs.back() != snaps.back())
      missing.push_back((rel.empty() ? "home" : rel) + " at @" + snaps.back() + " (it is at @" + (theirs.empty() ? "nothing" : theirs.back()) + ")");
  }
  const auto dropped = strings_at(answer, "dropped");
  const json config = answer.value("config", json::object());
  for (const auto& [k, v] : props) {
    if (k == "boot" || std::find(dropped.begin(), dropped.end(), k) != dropped.end()) continue;
    if (!config.contains(k) || config[k] != v) missing.push_back("property " + k + "=" + v);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    throw Refused("the receiving side's copy does not match:" + list);
  }
  for (const auto& d : dropped) out.note += "the receiving side left out " + d + " (iocell receive --trust=" + d + " takes it)\n";
}

}  // namespace

SendOutcome send_jail(Context& ctx, const JailRecord& rec_in, const SendOptions& opts) {
  const std::vector<std::string> argv = wire::transport_argv(opts.to);
  JailRecord rec = ctx.inventory().reload(rec_in);
  if (rec.is_template()) throw Refused(rec.uuid + " (" + rec.tag() + ") is a template; send the jails made from it, or clone it into a jail");
  if (!ctx.storage().replicates()) throw Refused(ctx.storage().why_no_replication());
  if (ctx.dry_run()) throw UsageError("send has no --dry-run: what it sends depends on what the receiving side answers");
  // A write to a transport that quit must fail as EPIPE, not end iocell.
  ::signal(SIGPIPE, SIG_IGN);
  sdk::Storage& storage = ctx.storage();
  const std::vector<std::string> datasets = jail_datasets(ctx, rec);
  const auto rel_of = [&](const std::string& ds) { return ds == rec.dataset ? std::string() : ds.substr(rec.dataset.size() + 1); };

  const bool was_running = run_state(ctx, rec).has_value();
  if (opts.cutover && was_running) {
    ctx.out() << "stopping " << rec.uuid << " (" << rec.tag() << ") for the last increment" << std::endl;
    stop_jail(ctx, rec);
  }
  SendOutcome out;
  try {
    out.snapshot = fresh_snapshot_name(ctx, rec);
    snapshot_jail(ctx, rec, out.snapshot, opts.force);
    replication::Transport transport(ctx.runner(), argv);
    wire::Channel channel(transport.from_peer(), transport.to_peer());
    std::vector<std::pair<std::string, std::vector<std::string>>> sent;
    json rels = json::array();
    for (const auto& ds : datasets) {
      rels.push_back(rel_of(ds));
      // Older replication snapshots go on both sides once this one is
      // verified; the receiver drops its own before it answers.
      std::vector<std::string> names;
      for (const auto& n : names_of(storage, ds))
        if (n == out.snapshot || n.rfind(kReplicationSnapshotPrefix, 0) != 0) names.push_back(n);
      sent.emplace_back(rel_of(ds), names);
    }
    try {
      channel.send_message({{"iocell", "replication"}, {"version", wire::kVersion}, {"uuid", rec.uuid}, {"tag", rec.tag()},
                            {"storage", storage.name()}, {"datasets", rels}});
      for (int round = 0;; ++round) {
        const json state = channel.read_message("the receiving side's state").value("datasets", json::object());
        std::vector<Stream> plan;
        for (const auto& ds : datasets) {
          const json theirs = state.value(rel_of(ds), json::object());
          const std::string token = theirs.value("token", "");
          if (!token.empty()) plan.push_back({rel_of(ds), ds, "", "", token});
        }
        const bool resuming = !plan.empty();
        if (resuming && round > 0) throw std::runtime_error("the receiving side still has an interrupted stream after it was resumed");
        if (!resuming) {
          for (std::size_t i = 0; i < datasets.size(); ++i) {
            auto more = plan_dataset(storage, sent[i].first, datasets[i], names_of(storage, datasets[i]),
                                     strings_at(state.value(sent[i].first, json::object()), "snapshots"));
            plan.insert(plan.end(), more.begin(), more.end());
          }
        }
        json message = {{"streams", json::array()}, {"final", !resuming}};
        for (const auto& s : plan) message["streams"].push_back({{"dataset", s.rel}, {"from", s.from}, {"to", s.to}, {"resume", !s.token.empty()}});
        if (!resuming) {
          message["config"] = rec.props;
          message["snapshot"] = out.snapshot;
          message["cutover"] = opts.cutover;
        }
        channel.send_message(message);
        for (const auto& s : plan) {
          ctx.out() << "sending " << s.describe() << std::endl;
          const std::uint64_t bytes = send_stream(ctx, channel, s);
          out.bytes += bytes;
          out.lines.push_back(s.describe() + ", " + mib(bytes));
          ctx.out() << "  received and checked there: " << mib(bytes) << std::endl;
        }
        if (!resuming) break;
      }
      const json answer = channel.read_message("the receiving side's verification");
      verify(answer, sent, rec.props, out);
      out.started_there = answer.value("started", false);
      if (opts.cutover && !out.started_there)
        throw Refused("the copy did not start on the receiving side: " + answer.value("start_error", std::string("no reason given")));
    } catch (const std::exception& e) {
      const auto res = transport.finish();
      std::string err = res.err;
      while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
      throw Refused("cannot send " + rec.uuid + " (" + rec.tag() + "): " + e.what() + (err.empty() ? "" : "\n  the transport said: " + err));
    }
    const auto res = transport.finish();
    if (!res.ok()) throw Refused("the transport " + sdk::format_argv(argv) + " failed (exit " + std::to_string(res.exit_code) + "): " + res.err);
  } catch (...) {
    if (opts.cutover && was_running) {
      ctx.out() << "starting " << rec.uuid << " (" << rec.tag() << ") here again: the cutover failed" << std::endl;
      try {
        start_jail(ctx, ctx.inventory().reload(rec));
      } catch (const std::exception& e) {
        ctx.host().log->error("cannot start {} again: {}", rec.uuid, e.what());
      }
    }
    throw;
  }
  prune_replication_snapshots(ctx, datasets, out.snapshot);
  if (opts.cutover) set_properties(ctx, ctx.inventory().reload(rec), {{"boot", "off"}});
  return out;
}

}  // namespace iocell::core
