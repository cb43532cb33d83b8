// What an untrusted source (an imported image's manifest, a received
// stream, a package; later iocage or Bastille imports) may set on a jail.
// Properties of the table's Trust class Plain are taken; host-acting and
// privilege-widening ones, and the jail's own fstab (it mounts host paths
// into the jail), are dropped unless the admin names them (--trust=a,b) or
// trusts the source whole (--trust-all). Dropped ones keep the defaults.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <iocell/core/config_store.hpp>
#include <iocell/core/properties.hpp>

namespace iocell::core {

/// How far a value from an untrusted source may be taken without the admin
/// naming it. The class of each property is kept beside the property table
/// (core/src/property_table.cpp), the one definition of the vocabulary.
enum class Trust {
  Plain,              ///< acts inside the jail only
  HostActing,         ///< runs or changes something on the host (exec_prestart, boot, host interfaces)
  PrivilegeWidening,  ///< gives the jail more than the defaults (allow_*, enforce_statfs, delegated datasets)
};

/// The class of a property of the table; Plain for any other name.
Trust property_trust(std::string_view name);

/// The name --trust gives the jail's fstab file, which is no property.
inline constexpr const char* kTrustFstab = "fstab";

struct TrustGrant {
  bool all = false;
  std::set<std::string> names;
  bool covers(const std::string& name) const { return all || names.count(name) != 0; }
};

/// "exec_prestart,allow_mount". Throws UsageError naming a value that is not
/// a host-acting or privilege-widening property nor "fstab", with the list
/// of what may be named.
TrustGrant parse_trust(const std::string& list, bool all);

/// "host-acting" / "privilege-widening" / "plain".
std::string trust_class_name(Trust t);
/// Every name --trust accepts, comma-separated.
std::string trustable_names();

struct TrustFiltered {
  PropertyValues kept;
  std::vector<std::string> dropped;  ///< "exec_prestart=... (host-acting)"
  std::vector<std::string> trusted;  ///< kept only because the grant names them
};

/// Splits properties from an untrusted source. Unknown names are left to the
/// caller's validation (they are kept here).
TrustFiltered filter_untrusted(const PropertyValues& props, const TrustGrant& grant);

}  // namespace iocell::core
