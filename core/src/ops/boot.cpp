// rcboot / rcshutdown: boot=on jails after their dependencies, by priority.
// Each jail is started by a child `iocell start UUID` so that jails of one
// wave start in parallel and one failure (or crash) cannot take the others
// down.
#include <unistd.h>

#include <algorithm>
#include <future>

#include <iocell/core/context.hpp>
#include <iocell/core/ops/depends.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/runners.hpp>
#include <iocell/core/self_exe.hpp>

namespace iocell::core {
namespace {

int run_group(Context& ctx, const std::vector<JailRecord>& group, const std::string& verb) {
  const std::string exe = self_exe().string();
  auto run_one = [&ctx, &verb, &exe](const JailRecord& j) {
    sdk::Command cmd({exe, "--root", ctx.root().string(), verb, j.uuid});
    return ctx.runner().run(cmd);
  };
  std::vector<sdk::CommandResult> results;
  if (ctx.runner_is_concurrent() && group.size() > 1) {
    std::vector<std::future<sdk::CommandResult>> running;
    for (const auto& j : group) running.push_back(std::async(std::launch::async, run_one, std::cref(j)));
    for (auto& f : running) results.push_back(f.get());
  } else {
    for (const auto& j : group) results.push_back(run_one(j));
  }
  int failed = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    const auto& r = results[i];
    ctx.out() << r.out;
    if (!r.ok()) {
      ++failed;
      ctx.err() << "iocell: " << verb << " of " << group[i].uuid << " (" << group[i].tag() << ") failed: " << r.err;
    }
  }
  return failed;
}

// Boot waves (depends.hpp): a jail starts after the jails it depends on,
// then by priority, and stops in the reverse order.
std::vector<std::vector<JailRecord>> boot_groups(Context& ctx, bool reverse) {
  std::vector<JailRecord> boot;
  const std::string me = host_id(ctx);
  for (auto& j : ctx.inventory().all()) {
    if (j.is_template() || j.get("boot") != "on") continue;
    const std::string owner = j.get("hostid");
    if (!owner.empty() && owner != "none" && !me.empty() && owner != me) continue;
    boot.push_back(std::move(j));
  }
  auto out = boot_waves(std::move(boot));
  if (reverse) std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

int rcboot(Context& ctx) {
  int failed = 0;
  auto groups = boot_groups(ctx, false);
  if (groups.empty()) ctx.err() << "iocell: no jails found with boot=on\n";
  for (const auto& g : groups) failed += run_group(ctx, g, "start");
  return failed;
}

int rcshutdown(Context& ctx) {
  int failed = 0;
  for (const auto& g : boot_groups(ctx, true)) failed += run_group(ctx, g, "stop");
  return failed;
}

}  // namespace iocell::core
