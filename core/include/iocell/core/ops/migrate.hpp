// iocell migrate: jails of the shell iocell (a UCL `config` file in each
// jail's directory, /iocell/.default) and of iocage 1.x (ZFS user properties
// org.freebsd.iocage:* on <pool>/iocage/jails/<UUID>) become iocell jails
// with a config.json, keeping UUID, tag and every property that is still
// valid. Values that fail today's validation are reported, never kept.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/core/config_store.hpp>

namespace iocell::core {

class Context;

enum class LegacyKind { Iocell, Iocage };
/// "iocell" or "iocage".
std::string legacy_name(LegacyKind kind);

/// A config file outside the subset the shell iocell writes. what() is
/// "FILE:LINE:COLUMN: problem".
class UclError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads the UCL subset of the shell iocell: one `name = "value";` per line
/// (the ';' may be left out; a bare word without blanks is accepted as a
/// value), blank lines, and comments starting with '#' or '//'. Strings take
/// the JSON escapes. Anything else (objects, arrays, multi-line strings, a
/// key given twice) throws UclError naming `file`, the line and the column.
PropertyValues parse_ucl(const std::string& text, const std::string& file);

/// A legacy property that was not carried over, and why.
struct Dropped {
  std::string name;
  std::string value;
  std::string reason;
};

struct MappedProperties {
  PropertyValues props;           ///< today's names and valid values
  std::vector<Dropped> dropped;   ///< reported to the user
  std::vector<std::string> notes; ///< changes worth saying (type decided from the origin, ...)
};

/// What the caller knows about the jail beyond its properties.
struct LegacyFacts {
  std::string uuid;
  /// Origin of the jail's dataset ("pool/fs@snap"); "" or "-" when it is no
  /// clone. Decides between thickjail and clonejail for type=jail.
  std::string origin;
  /// The shell iocell's clonejails are clones of basejails: with an empty
  /// root/bin they share the release like a basejail does.
  bool root_has_system = true;
};

/// Legacy name/value pairs of one jail -> today's properties: istemplate ->
/// template, hostname (1.x) -> host_hostname, the type values (template,
/// jail, gitjail), vnet "-" -> on, "-" -> none elsewhere, then the property
/// table's validation. Throws UsageError when the jail cannot be migrated at
/// all (an unknown type).
MappedProperties map_legacy_jail(const PropertyValues& legacy, LegacyKind kind, const LegacyFacts& facts);

/// The legacy defaults (/iocell/.default, <pool>/iocage/.defaults) as
/// system defaults: per-jail properties are dropped, and so are values equal
/// to the legacy tool's built-in ones (the shell iocell wrote every built-in
/// value into .default; those were never the user's choice).
MappedProperties map_legacy_defaults(const PropertyValues& legacy, LegacyKind kind);

/// One jail of Python iocage (its config.json, as strings) mapped: the
/// type (a basejail stays one, every other jail becomes a thick copy), the
/// properties, what has no equivalent (reported unless at iocage's own
/// default), and the jails its depends names, by iocage name.
struct PythonIocageJail {
  MappedProperties mapped;
  std::vector<Dropped> dropped;
  std::vector<std::string> depends;
  bool basejail = false;
};
PythonIocageJail map_python_iocage(const PropertyValues& config, bool in_templates);
/// A Python iocage config.json, every value as text; read without
/// following a link and within a size, since whoever wrote it is not iocell.
PropertyValues read_python_iocage_config(const std::filesystem::path& file);

/// Bastille's jail.conf: one jail(8) block, whose name is returned in
/// `name`. jail(8) parameters iocell keeps become its properties; Bastille's
/// own paths are left out; the rest is reported.
MappedProperties map_bastille_jail_conf(const std::string& text, std::string& name);

struct MigrateRequest {
  std::optional<LegacyKind> from;  ///< nullopt: the shell iocell, and iocage when the root is on ZFS
  std::string pool;                ///< pool holding the legacy jails; "" = the pool iocell uses
  bool dry_run = false;            ///< say what would happen, change nothing
  /// Python iocage: the directory holding its jails/, templates/ and
  /// releases/ (the mountpoint of <pool>/iocage); "" = that of the pool.
  std::string iocage_dir;
};

struct MigratedJail {
  enum class Status { Migrated, AlreadyThere, Failed };
  LegacyKind kind = LegacyKind::Iocell;
  Status status = Status::Failed;
  std::string uuid;
  std::string tag;
  std::string location;  ///< directory (iocell) or dataset (iocage) it was found in
  std::string error;     ///< Failed: why; AlreadyThere: where it already is
  MappedProperties mapped;
  /// Done, or (dry run) to be done: "write FILE", "run: zfs rename A B".
  std::vector<std::string> actions;
};

struct MigrateReport {
  std::vector<MigratedJail> jails;
  MappedProperties defaults;             ///< the defaults written (or to be written)
  std::vector<std::string> notes;        ///< about the run as a whole
  bool dry_run = false;
  size_t count(MigratedJail::Status s) const {
    size_t n = 0;
    for (const auto& j : jails) n += j.status == s;
    return n;
  }
};

/// Finds the legacy jails and migrates each. A jail that cannot be migrated
/// is reported as Failed and the others go on. Nothing is ever deleted: the
/// legacy config files and properties stay where they were.
MigrateReport migrate(Context& ctx, const MigrateRequest& req);

}  // namespace iocell::core
