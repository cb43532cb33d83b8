// Resource limits: rctl(8)+cpuset(1) on FreeBSD, cgroups on Linux.
#pragma once

#include <functional>
#include <iocell/sdk/export.hpp>

#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

class IOCELL_SDK_EXPORT Limits {
 public:
  virtual ~Limits() = default;
  virtual std::string name() const = 0;
  /// Before the jail exists (Linux: create groups, fill spec.attach_files).
  virtual void prepare(JailSpec& spec) = 0;
  /// Applies every limit of the spec (rlimits=on) and the cpuset; also `cap`.
  virtual void apply(const JailSpec& spec, const RunState& state) = 0;
  /// Removes every rule of the jail (`uncap`, and at stop). Nothing to remove
  /// is not an error.
  virtual void remove(const JailSpec& spec) = 0;
  /// Active rules, one "resource:action=amount" string each.
  virtual std::vector<std::string> rules(const JailSpec& spec) = 0;
  /// The jail's CPU set ("0-3", "1"), "" when unrestricted.
  virtual std::string cpuset(const JailSpec& spec, const RunState& state) = 0;
  /// How usage() writes amounts: as the system's own tool shows them to a
  /// person ("83M"), or as plain integers for --json and scripts.
  enum class Amounts { Human, Exact };
  /// Consumption, as (resource, amount) in the kernel's order.
  virtual std::vector<std::pair<std::string, std::string>> usage(const JailSpec& spec, const RunState& state,
                                                                 Amounts amounts) = 0;
  /// Removes what jails no longer running left (cgroups of a start that
  /// failed or of a jail since destroyed), for the jails whose UUID `idle`
  /// accepts: no command is working on them. One line per removal.
  /// Why this host and backend could not apply the limits of `spec` with
  /// rlimits=on ("" when they could): `set` asks before it records a limit
  /// that the next start or `cap` would fail on. The core has already
  /// checked each value's grammar; this is what only the backend knows.
  virtual std::string refuses(const JailSpec& spec) {
    (void)spec;
    return {};
  }
  virtual std::vector<std::string> clean_leftovers(const std::function<bool(const std::string& uuid)>& idle) {
    (void)idle;
    return {};
  }
};

}  // namespace iocell::sdk
