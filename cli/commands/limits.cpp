// cap, uncap, limits, inuse, df: resource limits and space.
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/properties.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../output.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

Format format_of(const Parsed& p) {
  return p.flag("json") ? Format::Json : p.flag("scripted") ? Format::Scripted : Format::Human;
}

sdk::RunState require_running(Invocation& inv, const core::JailRecord& j) {
  auto st = core::run_state(inv.ctx, j);
  if (!st) throw core::Refused("jail " + describe(j) + " is not running; limits apply to running jails (they are applied at every start)");
  return *st;
}

int cap_command(Invocation& inv) {
  auto p = parse_args(inv);
  return for_each_jail(inv, p.words, true, [&](const core::JailRecord& j) {
    auto spec = inv.ctx.inventory().spec(j);
    // A cpuset alone needs no cap: set and start apply it (the man page).
    if (!spec.props.enabled("rlimits"))
      throw core::Refused("rlimits is off for " + describe(j) + ": iocell set rlimits=on " + j.tag() + " first");
    auto st = require_running(inv, j);
    inv.ctx.limits().apply(spec, st);
    inv.report("limits applied to " + describe(j), "would apply limits to " + describe(j));
  });
}

int uncap_command(Invocation& inv) {
  auto p = parse_args(inv);
  return for_each_jail(inv, p.words, true, [&](const core::JailRecord& j) {
    inv.ctx.limits().remove(inv.ctx.inventory().spec(j));
    inv.report("limits removed from " + describe(j), "would remove limits from " + describe(j));
  });
}

int limits_command(Invocation& inv) {
  auto p = parse_args(inv);
  std::vector<core::JailRecord> jails;
  if (p.words.empty()) {
    auto running = core::running_jails(inv.ctx);
    for (auto& j : inv.ctx.inventory().all())
      if (running.count(j.uuid)) jails.push_back(j);
  } else {
    for (const auto& w : p.words) jails.push_back(resolve_jail(inv.ctx, w));
  }
  Table t({{"UUID", "uuid"}, {"TAG", "tag"}, {"RULE", "rule"}});
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& j : jails) {
    auto spec = inv.ctx.inventory().spec(j);
    auto rules = inv.ctx.limits().rules(spec);
    auto st = core::run_state(inv.ctx, j);
    std::string cpus = st ? inv.ctx.limits().cpuset(spec, *st) : "";
    for (const auto& r : rules) t.add({j.uuid, j.tag(), r});
    if (!cpus.empty()) t.add({j.uuid, j.tag(), "cpuset=" + cpus});
    doc.push_back({{"uuid", j.uuid}, {"tag", j.tag()}, {"rules", rules}, {"cpuset", cpus}});
  }
  if (format_of(p) == Format::Json) {
    inv.ctx.out() << nlohmann::json{{"limits", doc}}.dump(2) << "\n";
    return 0;
  }
  if (format_of(p) == Format::Scripted) {
    t.render(inv.ctx.out(), Format::Scripted, "limits");
    return 0;
  }
  for (const auto& e : doc) {
    inv.ctx.out() << "* Active limits for jail: " << e["uuid"].get<std::string>() << " (" << e["tag"].get<std::string>() << ")\n";
    for (const auto& r : e["rules"]) inv.ctx.out() << "  - " << r.get<std::string>() << "\n";
    inv.ctx.out() << "* CPU set: " << (e["cpuset"].get<std::string>().empty() ? "all" : e["cpuset"].get<std::string>()) << "\n";
  }
  return 0;
}

int inuse_command(Invocation& inv) {
  auto p = parse_args(inv);
  auto running = core::running_jails(inv.ctx);
  if (p.words.size() == 1) {
    auto j = resolve_jail(inv.ctx, p.words[0]);
    auto it = running.find(j.uuid);
    if (it == running.end()) throw core::Refused("jail " + describe(j) + " is not running");
    const auto amounts = format_of(p) == Format::Human ? sdk::Limits::Amounts::Human : sdk::Limits::Amounts::Exact;
    auto usage = inv.ctx.limits().usage(inv.ctx.inventory().spec(j), it->second, amounts);
    Table t({{"RESOURCE", "resource"}, {"AMOUNT", "amount", true}});
    for (const auto& [k, v] : usage) t.add({k, v});
    if (format_of(p) == Format::Human) {
      inv.ctx.out() << "Consumed resources:\n-------------------\n";
      for (const auto& [k, v] : usage) inv.ctx.out() << k << "=" << v << "\n";
      return 0;
    }
    t.render(inv.ctx.out(), format_of(p), "usage");
    return 0;
  }
  if (!p.words.empty()) throw core::UsageError("usage: iocell inuse [TARGET]");
  // All running jails: CSV, as documented, with one column per resource.
  std::vector<std::pair<core::JailRecord, std::vector<std::pair<std::string, std::string>>>> rows;
  std::vector<std::string> resources;
  const auto amounts = format_of(p) == Format::Human ? sdk::Limits::Amounts::Human : sdk::Limits::Amounts::Exact;
  for (const auto& j : inv.ctx.inventory().all()) {
    auto it = running.find(j.uuid);
    if (it == running.end()) continue;
    auto usage = inv.ctx.limits().usage(inv.ctx.inventory().spec(j), it->second, amounts);
    for (const auto& [k, v] : usage)
      if (std::find(resources.begin(), resources.end(), k) == resources.end()) resources.push_back(k);
    rows.emplace_back(j, std::move(usage));
  }
  auto value_of = [](const auto& usage, const std::string& k) {
    for (const auto& [rk, rv] : usage)
      if (rk == k) return rv;
    return std::string("-");
  };
  if (format_of(p) == Format::Json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [j, usage] : rows) {
      nlohmann::json u = nlohmann::json::object();
      for (const auto& [k, v] : usage) u[k] = json_cell(v, true);
      arr.push_back({{"uuid", j.uuid}, {"tag", j.tag()}, {"usage", u}});
    }
    inv.ctx.out() << nlohmann::json{{"inuse", arr}}.dump(2) << "\n";
    return 0;
  }
  const char* sep = format_of(p) == Format::Scripted ? "\t" : ",";
  if (format_of(p) == Format::Human) {
    inv.ctx.out() << "UUID" << sep << "TAG";
    for (const auto& r : resources) inv.ctx.out() << sep << r;
    inv.ctx.out() << "\n";
  }
  for (const auto& [j, usage] : rows) {
    inv.ctx.out() << j.uuid << sep << j.tag();
    for (const auto& r : resources) inv.ctx.out() << sep << value_of(usage, r);
    inv.ctx.out() << "\n";
  }
  return 0;
}

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "K", "M", "G", "T", "P"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  return buf;
}

int df_command(Invocation& inv) {
  auto p = parse_args(inv);
  const bool exact = format_of(p) != Format::Human;
  Table t({{"UUID", "uuid"}, {"CRT", "compressratio", true}, {"RES", "reservation", true}, {"QTA", "quota", true},
           {"USE", "used", true}, {"AVA", "available", true}, {"TAG", "tag"}});
  auto fmt = [&](std::uint64_t n) { return exact ? std::to_string(n) : human_bytes(n); };
  for (const auto& j : inv.ctx.inventory().all()) {
    if (!p.words.empty() && std::find(p.words.begin(), p.words.end(), j.uuid) == p.words.end() &&
        std::find(p.words.begin(), p.words.end(), j.tag()) == p.words.end())
      continue;
    auto u = inv.ctx.storage().usage(j.dataset);
    char ratio[16];
    std::snprintf(ratio, sizeof ratio, exact ? "%.2f" : "%.2fx", u.compressratio);
    t.add({j.uuid, ratio, u.reservation ? fmt(*u.reservation) : "none", u.quota ? fmt(*u.quota) : "none", fmt(u.used),
           fmt(u.available), j.tag()});
  }
  t.render(inv.ctx.out(), format_of(p), "df");
  return 0;
}

IOCELL_COMMAND({"cap", "TARGET ...|ALL", "apply the jail's rctl limits and cpuset now (rlimits=on)", cap_command});
IOCELL_COMMAND({"uncap", "TARGET ...|ALL", "remove every limit of the jail", uncap_command});
IOCELL_COMMAND({"limits", "[TARGET ...]", "active limit rules and CPU set", limits_command, {}, false, true, with_output_flags()});
IOCELL_COMMAND({"inuse", "[TARGET]", "resource consumption (CSV for all running jails)", inuse_command, {}, false, true, with_output_flags()});
IOCELL_COMMAND({"df", "[TARGET ...]", "space: compression ratio, reservation, quota, used, available", df_command, {}, false, true, with_output_flags()});

}  // namespace
}  // namespace iocell::cli
