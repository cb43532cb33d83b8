// The one table of every property iocell knows: jail(8) parameters,
// iocell-only settings, native storage properties and rctl resources.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <iocell/sdk/host.hpp>

namespace iocell::core {

enum class PropType {
  OnOff,       ///< on | off
  YesNo,       ///< yes | no
  Flag,        ///< 0 | 1 (jail(8) booleans: allow_*, mount_*)
  Integer,     ///< decimal within [min, max]
  Size,        ///< none | 4G, 512M, 1024 (bytes)
  Rctl,        ///< off | AMOUNT:ACTION
  IpList,      ///< none | [IF|]ADDR[/LEN][,...]
  Interfaces,  ///< vnetN:BRIDGE[,...]
  Vlans,       ///< none | vnetN:VID[,...] (sdk/vnet.hpp)
  Forwards,    ///< none | PROTO(IF|ADDRESS):PORT->PORT[,...] (sdk/forwarder.hpp)
  Tag,
  JailList,    ///< none | TAG|UUID[,...] (other jails of the root)
  Text,        ///< free text (notes, exec_* commands)
  Enum,        ///< one of `choices`
  Address,     ///< none | an IP address (defaultrouter)
  CpuSet,      ///< off | 0-3,5
  Mac,         ///< none | 12 hex digits,12 hex digits
  Release,     ///< 14.3-RELEASE (also -p3, -STABLE, -CURRENT, ...)
  Hostname,
  Resolver,    ///< none | nameserver X;search Y
  Path,        ///< none | absolute path
  ReadOnly,    ///< reported, never set
};

enum class PropCategory { Jail, Iocell, Storage, Rctl, Network, Fetch };

/// When a new value takes effect on a running jail.
enum class LiveChange {
  Now,      ///< applied at once (tag, notes, allow_* via jail -m, rctl via cap)
  Restart,  ///< stored; applied at the next start
  Refused,  ///< the jail must be stopped first (hack88, template, jail_zfs_dataset)
};

// Views of string literals: the table is read by every command, and
// building ~150 heap strings of help text cost more than reading it.
struct PropertyDef {
  std::string_view name;
  PropType type;
  std::string_view default_value;  ///< built-in; "" = computed at creation (uuid, tag, release)
  PropCategory category;
  LiveChange live;
  std::string_view help;
  std::int64_t min = 0, max = 0;      ///< Integer
  std::span<const std::string_view> choices;  ///< Enum
};

std::span<const PropertyDef> property_table();
/// The table sorted by name.
std::span<const PropertyDef* const> properties_by_name();
/// The rctl(8) resources, in the order rctl documents them.
std::span<const std::string_view> rctl_resource_names();
const PropertyDef* find_property(const std::string& name);
/// The property's definition; throws UsageError naming it, with the nearest
/// known names, when there is no such property.
const PropertyDef& require_property(const std::string& name);

/// Throws UsageError naming the property, the value and what is allowed.
void validate_property(const std::string& name, const std::string& value);
/// validate_property, and what a new value set by the admin must be beyond
/// its grammar: no empty text, CPUs this host has.
void validate_setting(const std::string& name, const std::string& value);
/// What a type accepts, for messages and the man page.
std::string allowed_values(const PropertyDef& def);

/// Built-in defaults of every settable property for a new jail on this host
/// (vnet follows VIMAGE availability on FreeBSD; off on Linux).
std::map<std::string, std::string> builtin_defaults(iocell::sdk::HostOs os);
/// The built-in defaults, overridden by `system` (defaults.json), overridden
/// by `own` (a jail's config): what builtin_defaults and two loops of
/// assignments give, made in one ordered pass.
std::map<std::string, std::string> layered_defaults(const std::map<std::string, std::string>& system,
                                                    const std::map<std::string, std::string>& own);

/// "4G" -> 4294967296. Throws UsageError on anything else.
std::uint64_t parse_size(const std::string& text);
/// The rctl resources iocell manages, in the kernel's order.
const std::vector<std::string>& rctl_resources();

bool is_on(const std::string& value);

}  // namespace iocell::core
