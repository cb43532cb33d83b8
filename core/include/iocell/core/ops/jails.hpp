// Jail inventory operations: create, clone, destroy, properties, templates.
#pragma once

#include <string>
#include <vector>

#include <iocell/core/config_store.hpp>
#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

struct CreateRequest {
  /// A jail type by name (type=NAME); "" for the one of `flag`, or the
  /// host's default type when no flag either (see jail_types.hpp).
  std::string type;
  char flag = '\0';      ///< a type's create shorthand: 'c' for -c
  PropertyValues props;  ///< user-given prop=value pairs (validated here)
  int count = 1;         ///< count=N: N jails tagged TAG_1..TAG_N
};

/// Creates the jails; each is built under a temporary name and appears in
/// the inventory only once complete.
std::vector<JailRecord> create_jails(Context& ctx, const CreateRequest& req);

/// clone SRC[@snap] [prop=value ...]: a copy-on-write clone of a jail or
/// template, from `snapshot` when given (its very content), else from a new
/// snapshot of the source's current state.
JailRecord clone_jail(Context& ctx, const JailRecord& source, const std::string& snapshot, const PropertyValues& props);

/// Refuses a running jail unless `force` (then stops it first), and a jail
/// that clones depend on (naming them). Removes the origin snapshot of a
/// clone when nothing else uses it.
void destroy_jail(Context& ctx, const JailRecord& rec, bool force);
/// Removes the staging dataset of a jail that failed to arrive (create,
/// import, migrate); a failure is only warned about, `iocell clean` finishes it.
void discard_staging(Context& ctx, const std::string& staging) noexcept;

/// Refuses a host name longer than the host's runtime can give a jail;
/// `given` is what the user wrote (the name may carry a count suffix).
void check_hostname_fits(Context& ctx, const std::string& given, const std::string& hostname);

/// Validates every pair before writing any; applies live where possible.
void set_properties(Context& ctx, const JailRecord& rec, const PropertyValues& changes);
/// The effective value of one property ("state", "jid", native storage
/// values included).
std::string get_property(Context& ctx, const JailRecord& rec, const std::string& name);
/// Every property with its effective value, sorted by name.
PropertyValues all_properties(Context& ctx, const JailRecord& rec);
/// Keeps identity (uuid, tag, type, release, ...) and re-applies the defaults.
void reset_jail(Context& ctx, const JailRecord& rec);

/// Leftovers of interrupted operations (".new-*" datasets, staging releases).
std::vector<std::string> clean_leftovers(Context& ctx);

/// Writes the jail's config.json (atomically).
void save_config(Context& ctx, const JailRecord& rec);
/// Maps dataset names ("jails/<uuid>/root") back to "uuid (tag)" for messages.
std::string describe_datasets(Context& ctx, const std::vector<std::string>& datasets);

/// The release a new jail uses when none is given: the host's on FreeBSD,
/// the only fetched one on Linux.
std::string default_release(Context& ctx);
bool release_exists(Context& ctx, const std::string& release);

}  // namespace iocell::core
