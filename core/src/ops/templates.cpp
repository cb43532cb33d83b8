#include <iocell/core/ops/templates.hpp>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>

namespace iocell::core {

void set_template(Context& ctx, const JailRecord& rec_in, bool to_template) {
  JailRecord rec = ctx.inventory().reload(rec_in);
  if (rec.is_template() == to_template) return;
  if (run_state(ctx, rec)) throw Refused("jail " + rec.uuid + " (" + rec.tag() + ") is running; stop it before changing template");
  sdk::Storage& storage = ctx.storage();
  // A template with clones may turn back into a jail to be patched and
  // then into a template again: every storage's rename keeps the clones'
  // origins pointing at the moved snapshots, as zfs rename does.
  const std::string target = std::string(to_template ? "templates/" : "jails/") + rec.uuid;
  // The config follows the dataset; write the flag first so that a crash
  // between the two steps leaves a consistent jail either way (the inventory
  // reads template from the directory the jail is found in).
  rec.props["template"] = to_template ? "yes" : "no";
  save_config(ctx, rec);
  storage.rename(rec.dataset, target);
}

}  // namespace iocell::core
