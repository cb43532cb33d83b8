#include <iocell/core/defaults.hpp>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/properties.hpp>

namespace iocell::core {

PropertyValues read_defaults(Context& ctx) { return read_config(ctx.defaults_file()); }

void write_defaults(Context& ctx, const PropertyValues& changes) {
  for (const auto& [k, v] : changes) {
    if (k == "tag" || k == "template" || k == "release" || k == "hostid" || k == "host_hostname" ||
        k == "jail_zfs_dataset" || k == "depends" || (k.size() > 4 && k.compare(k.size() - 4, 4, "_mac") == 0))
      throw UsageError("property " + k + " is per jail and has no system-wide default");
    validate_setting(k, v);
  }
  FileLock lock(ctx.locks_dir() / "defaults", "the system defaults");
  PropertyValues all = read_defaults(ctx);
  for (const auto& [k, v] : changes) all[k] = v;
  if (!ctx.dry_run()) write_config(ctx.defaults_file(), all);
}

}  // namespace iocell::core
