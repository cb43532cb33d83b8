#include <iocell/core/ops/depends.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/lifecycle.hpp>

namespace iocell::core {
namespace {

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  if (value.empty() || value == "none") return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = value.find(',', start);
    out.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string describe(const JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }

// The jail a stored depends item names: the item is a full UUID, but a
// config written by hand may hold a tag.
JailRecord dependency(Context& ctx, const JailRecord& of, const std::string& item) {
  try {
    return ctx.inventory().resolve(item);
  } catch (const NotFound&) {
    throw Refused("jail " + describe(of) + " depends on " + item + ", which does not exist; iocell set depends=... " + of.uuid + " fixes it");
  }
}

}  // namespace

std::string canonical_depends(Context& ctx, const std::string& self, const std::string& value) {
  if (value == "none") return value;
  std::vector<std::string> uuids;
  for (const auto& item : split_list(value)) {
    const JailRecord dep = ctx.inventory().resolve(item);
    if (dep.uuid == self) throw UsageError("invalid value '" + value + "' for property depends: a jail cannot depend on itself (" + item + ")");
    if (dep.is_template())
      throw UsageError("invalid value '" + value + "' for property depends: " + describe(dep) + " is a template, which never runs");
    if (std::find(uuids.begin(), uuids.end(), dep.uuid) != uuids.end())
      throw UsageError("invalid value '" + value + "' for property depends: " + describe(dep) + " is named twice");
    uuids.push_back(dep.uuid);
  }
  if (!self.empty()) {
    // A cycle through the new value runs from one of its jails back to self.
    std::map<std::string, JailRecord> jails;
    for (auto& j : ctx.inventory().all()) jails.emplace(j.uuid, std::move(j));
    std::set<std::string> seen;
    std::vector<std::string> path;
    std::function<bool(const std::string&)> reaches_self = [&](const std::string& uuid) {
      path.push_back(uuid);
      if (uuid == self) return true;
      if (seen.insert(uuid).second) {
        auto it = jails.find(uuid);
        if (it != jails.end())
          for (const auto& next : split_list(it->second.get("depends")))
            if (reaches_self(next)) return true;
      }
      path.pop_back();
      return false;
    };
    for (const auto& u : uuids) {
      path.clear();
      if (!reaches_self(u)) continue;
      auto name = [&](const std::string& uuid) {
        auto it = jails.find(uuid);
        return it == jails.end() ? uuid : it->second.tag();
      };
      std::string cycle = name(self);
      for (const auto& step : path) cycle += " -> " + name(step);
      throw UsageError("invalid value '" + value + "' for property depends: it would make a dependency cycle: " + cycle);
    }
  }
  std::string out;
  for (const auto& u : uuids) out += (out.empty() ? "" : ",") + u;
  return out;
}

std::vector<JailRecord> dependencies_in_start_order(Context& ctx, const JailRecord& rec) {
  std::vector<JailRecord> order;
  std::set<std::string> done;
  std::vector<std::string> path;
  std::function<void(const JailRecord&)> visit = [&](const JailRecord& j) {
    if (std::find(path.begin(), path.end(), j.uuid) != path.end()) {
      std::string cycle;
      for (const auto& p : path) cycle += p + " -> ";
      throw Refused("the depends properties make a cycle: " + cycle + j.uuid + "; iocell set depends=... breaks it");
    }
    if (done.count(j.uuid)) return;
    path.push_back(j.uuid);
    for (const auto& item : split_list(j.get("depends"))) {
      const JailRecord dep = dependency(ctx, j, item);
      visit(dep);
    }
    path.pop_back();
    done.insert(j.uuid);
    if (j.uuid != rec.uuid) order.push_back(j);
  };
  visit(rec);
  return order;
}

void wait_until_healthy(Context& ctx, const JailRecord& rec_in) {
  const JailRecord rec = ctx.inventory().reload(rec_in);
  const auto eff = ctx.inventory().effective(rec);
  const std::string command = eff.at("healthcheck");
  if (command.empty() || command == "none") return;
  if (ctx.dry_run()) {
    ctx.host().log->info("would wait until the healthcheck of {} succeeds: {}", describe(rec), command);
    return;
  }
  const long timeout = std::stol(eff.at("healthcheck_timeout"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  int last = 0;
  while (true) {
    const auto state = run_state(ctx, rec);
    if (!state) throw Refused("jail " + describe(rec) + " stopped while its healthcheck was awaited");
    const sdk::CommandResult res = run_jail_command(ctx, spec, *state, command);
    if (res.ok()) return;
    last = res.exit_code;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  throw Refused("jail " + describe(rec) + " is not healthy: its healthcheck '" + command + "' still exits " +
                std::to_string(last) + " after " + std::to_string(timeout) + " s (healthcheck_timeout); see " +
                spec.console_log.string());
}

std::vector<JailRecord> order_by_dependencies(std::vector<JailRecord> jails, bool reverse) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < jails.size(); ++i) index.emplace(jails[i].uuid, i);
  std::vector<JailRecord> out;
  std::set<std::string> placed, visiting;
  std::function<void(std::size_t)> place = [&](std::size_t i) {
    const JailRecord& j = jails[i];
    if (placed.count(j.uuid) || !visiting.insert(j.uuid).second) return;  // a cycle is reported where it is started
    for (const auto& item : split_list(j.get("depends"))) {
      auto it = index.find(item);
      if (it != index.end()) place(it->second);
    }
    visiting.erase(j.uuid);
    placed.insert(j.uuid);
    out.push_back(j);
  };
  for (std::size_t i = 0; i < jails.size(); ++i) place(i);
  if (reverse) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::vector<JailRecord>> boot_waves(std::vector<JailRecord> jails) {
  std::map<std::string, int> priority;
  for (const auto& j : jails) {
    try {
      priority[j.uuid] = std::stoi(j.get("priority"));
    } catch (const std::exception&) {
      priority[j.uuid] = 99;
    }
  }
  // A dependency comes up as early as the earliest jail that needs it.
  for (std::size_t round = 0; round < jails.size(); ++round) {
    bool changed = false;
    for (const auto& j : jails)
      for (const auto& d : split_list(j.get("depends"))) {
        auto it = priority.find(d);
        if (it != priority.end() && priority[j.uuid] < it->second) {
          it->second = priority[j.uuid];
          changed = true;
        }
      }
    if (!changed) break;
  }
  std::set<std::string> started;
  std::vector<std::vector<JailRecord>> waves;
  while (!jails.empty()) {
    auto ready = [&](const JailRecord& j) {
      const auto deps = split_list(j.get("depends"));
      return std::all_of(deps.begin(), deps.end(), [&](const std::string& d) { return !priority.count(d) || started.count(d); });
    };
    int lowest = 100;
    for (const auto& j : jails)
      if (ready(j)) lowest = std::min(lowest, priority[j.uuid]);
    // Only a cycle leaves nothing ready: its jails go last, and their
    // start names the cycle.
    const bool cycle = lowest == 100;
    std::vector<JailRecord> wave, rest;
    for (auto& j : jails) ((cycle || (ready(j) && priority[j.uuid] == lowest)) ? wave : rest).push_back(std::move(j));
    for (const auto& j : wave) started.insert(j.uuid);
    waves.push_back(std::move(wave));
    jails = std::move(rest);
  }
  return waves;
}

std::vector<JailRecord> running_dependents(Context& ctx, const std::string& uuid) {
  std::vector<JailRecord> out;
  for (auto& j : ctx.inventory().all()) {
    const auto deps = split_list(j.get("depends"));
    if (std::find(deps.begin(), deps.end(), uuid) != deps.end()) out.push_back(std::move(j));
  }
  // The kernel is asked only when some jail depends on this one.
  if (out.empty()) return out;
  const auto running = running_jails(ctx);
  std::erase_if(out, [&](const JailRecord& j) { return !running.count(j.uuid); });
  return out;
}

}  // namespace iocell::core
