#include <iocell/core/ops/doctor.hpp>

#include <algorithm>

#include <iocell/core/context.hpp>
#include <iocell/core/inventory.hpp>

namespace iocell::core {

namespace {

void core_checks(Context& ctx, std::vector<DoctorLine>& out) {
  auto& pm = ctx.plugins();
  pm.load_deferred();
  for (const auto& p : pm.plugins()) {
    std::string provides;
    for (const auto& [kind, name] : p.provides) provides += (provides.empty() ? "" : ", ") + kind + " " + name;
    out.push_back({"iocell", {"plugin " + p.name, true, "loaded from " + p.path.string() + (provides.empty() ? "" : ": " + provides), ""}});
  }
  for (const auto& w : pm.warnings()) {
    const bool duplicate = w.kind == PluginWarning::Kind::Duplicate;
    out.push_back({"iocell",
                   {"plugin file " + w.path.filename().string(), duplicate, "not loaded: " + w.reason,
                    duplicate ? "" : "rebuild it against this iocell's SDK, or remove " + w.path.string()}});
  }
  try {
    const std::string name = ctx.storage_name();
    ctx.storage();
    out.push_back({"iocell", {"storage", true, name + ", jails under " + ctx.root().string(), ""}});
  } catch (const std::exception& e) {
    out.push_back({"iocell", {"storage", false, e.what(), "iocell activate POOL (or --storage NAME on a new root)"}});
  }
}

}  // namespace

std::vector<DoctorLine> run_doctor(Context& ctx) {
  std::vector<DoctorLine> out;
  core_checks(ctx, out);
  std::vector<sdk::JailSpec> jails;
  try {
    for (const auto& rec : ctx.inventory().all()) jails.push_back(ctx.inventory().spec(rec));
  } catch (const std::exception& e) {
    out.push_back({"iocell", {"jails", false, e.what(), "see iocell list"}});
  }
  auto names = ctx.plugins().names(ComponentKind::Checker, ctx.os());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    try {
      auto checker = ctx.plugins().make<sdk::HostChecker>(ComponentKind::Checker, name, ctx.host());
      for (auto& c : checker->checks(jails)) out.push_back({name, std::move(c)});
    } catch (const std::exception& e) {
      out.push_back({name, {name, false, std::string("the check itself failed: ") + e.what(), "run it again with -v"}});
    }
  }
  return out;
}

}  // namespace iocell::core
