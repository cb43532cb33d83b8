// get, set, reset, defaults: properties.
#include <algorithm>

#include <iocell/core/context.hpp>
#include <iocell/core/defaults.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/jails.hpp>
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

bool numeric_property(const std::string& name) {
  const core::PropertyDef* d = core::find_property(name);
  return (d && d->type == core::PropType::Integer) || name == "jid" || name == "used" || name == "available" ||
         name == "compressratio";
}

int get_command(Invocation& inv) {
  auto p = parse_args(inv);
  const bool json = p.flag("json");
  if (p.flag("recursive")) {
    if (p.words.size() != 1) throw core::UsageError("usage: iocell get -r PROPERTY");
    const std::string prop = p.words[0];
    Table t({{"UUID", "uuid"}, {"TAG", "tag"}, {"VALUE", prop, numeric_property(prop)}});
    for (const auto& j : inv.ctx.inventory().all()) t.add({j.uuid, j.tag(), core::get_property(inv.ctx, j, prop)});
    t.render(inv.ctx.out(), format_of(p), "jails");
    return 0;
  }
  if (p.words.size() != 2) throw core::UsageError("usage: iocell get PROPERTY|all|state TARGET");
  const std::string prop = p.words[0];
  // `set PROPERTY=VALUE default` takes the keyword; reading it back is defaults' job.
  if (p.words[1] == "default")
    throw core::UsageError("get: 'default' is not a jail; iocell defaults lists the values new jails get" +
                           std::string(prop == "all" ? "" : " (iocell defaults | grep '^" + prop + "=')"));
  auto rec = resolve_jail(inv.ctx, p.words[1]);
  if (prop == "all") {
    auto all = core::all_properties(inv.ctx, rec);
    if (json) {
      nlohmann::json props = nlohmann::json::object();
      for (const auto& [k, v] : all) props[k] = json_cell(v, numeric_property(k));
      inv.ctx.out() << nlohmann::json{{"uuid", rec.uuid}, {"properties", props}}.dump(2) << "\n";
    } else {
      for (const auto& [k, v] : all) inv.ctx.out() << k << (p.flag("scripted") ? "\t" : ":") << v << "\n";
    }
    return 0;
  }
  std::string value = core::get_property(inv.ctx, rec, prop);
  if (json) inv.ctx.out() << nlohmann::json{{"uuid", rec.uuid}, {"property", prop}, {"value", json_cell(value, numeric_property(prop))}}.dump(2) << "\n";
  else inv.ctx.out() << value << "\n";
  return 0;
}

int set_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.assignments.empty()) throw core::UsageError("usage: iocell set property=value [property=value ...] TARGET|default");
  if (p.words.empty()) throw core::UsageError("set: no jail given (a UUID, a prefix, a tag, or default)");
  if (p.assignments.size() != p.assignment_list.size()) throw core::UsageError("set: a property is given twice");
  if (p.words.size() == 1 && p.words[0] == "default") {
    core::write_defaults(inv.ctx, p.assignments);
    for (const auto& [k, v] : p.assignment_list) inv.ctx.out() << "default " << k << "=" << v << "\n";
    return 0;
  }
  // Validate every value before touching any jail.
  for (const auto& [k, v] : p.assignments) {
    if (core::require_property(k).type != core::PropType::ReadOnly) core::validate_setting(k, v);
  }
  // ALL leaves templates out, which would make `set template=no ALL` do
  // nothing: for the template property it names every jail and template.
  std::vector<std::string> targets = p.words;
  if (p.assignments.count("template") && std::find(targets.begin(), targets.end(), "ALL") != targets.end()) {
    std::erase(targets, std::string("ALL"));
    for (const auto& j : inv.ctx.inventory().all()) targets.push_back(j.uuid);
    if (targets.empty()) return 0;
  }
  return for_each_jail(inv, targets, true, [&](const core::JailRecord& j) { core::set_properties(inv.ctx, j, p.assignments); });
}

int reset_command(Invocation& inv) {
  auto p = parse_args(inv);
  return for_each_jail(inv, p.words, true, [&](const core::JailRecord& j) {
    core::reset_jail(inv.ctx, j);
    inv.report("reset " + describe(j), "would reset " + describe(j));
  });
}

int defaults_command(Invocation& inv) {
  auto p = parse_args(inv);
  auto values = core::builtin_defaults(inv.ctx.os());
  auto user = core::read_defaults(inv.ctx);
  for (const auto& [k, v] : user) values[k] = v;
  Table t({{"PROPERTY", "property"}, {"VALUE", "value"}, {"SOURCE", "source"}});
  for (const auto& [k, v] : values) t.add({k, v, user.count(k) ? "default" : "builtin"});
  if (format_of(p) == Format::Human) {
    for (const auto& [k, v] : values) inv.ctx.out() << k << "=" << v << "\n";
    return 0;
  }
  t.render(inv.ctx.out(), format_of(p), "defaults");
  return 0;
}

IOCELL_COMMAND({"get", "PROPERTY|all|state [TARGET]", "print a property (all: every property)", get_command, {}, false, true, with_output_flags({{"recursive", 'r', "", "the property of every jail"}})});
IOCELL_COMMAND({"set", "property=value [property=value ...] TARGET ...|ALL|default", "set properties (default: the system-wide defaults for new jails)", set_command});
IOCELL_COMMAND({"reset", "TARGET|ALL", "re-apply the defaults, keeping UUID and tag", reset_command, {}, false, false, {{"force", 'f', "", "no question"}}});
IOCELL_COMMAND({"defaults", "", "list the defaults new jails get", defaults_command, {}, false, true, with_output_flags()});

}  // namespace
}  // namespace iocell::cli
