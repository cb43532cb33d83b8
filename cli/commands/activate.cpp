// activate [POOL]: the ZFS pool iocell uses.
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/lifecycle.hpp>

#include "../args.hpp"
#include "../command.hpp"

namespace iocell::cli {
namespace {

int activate_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() > 1) throw core::UsageError("usage: iocell activate [POOL]");
  if (p.words.empty()) {
    auto& storage = inv.ctx.storage();
    const std::string pool = storage.pool();
    if (pool.empty()) throw core::NotFound("storage " + storage.name() + " has no pool (pools are a zfs matter)");
    inv.ctx.out() << "pool: " << pool << "\n";
    return 0;
  }
  if (!core::running_jails(inv.ctx).empty())
    throw core::Refused("iocell jails are running; stop them before moving iocell to another pool");
  // Not storage(): on a host where no pool is active yet it would refuse,
  // asking for the very activate this is.
  inv.ctx.activate_pool(p.words[0]);
  inv.report("activated pool " + p.words[0], "would activate pool " + p.words[0]);
  return 0;
}

IOCELL_COMMAND({"activate", "[POOL]", "use POOL for iocell (no argument: print the active pool)", activate_command});

}  // namespace
}  // namespace iocell::cli
