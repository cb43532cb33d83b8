// Host checks for `iocell doctor`: each plugin says what it needs of the
// host (pf running, RACCT, cgroup controllers, nft) and how to fix it; the
// core only collects the lines.
#pragma once

#include <iocell/sdk/export.hpp>

#include <string>
#include <vector>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

struct HostCheck {
  std::string name;    ///< what is checked: "pf", "kern.racct.enable"
  bool ok = true;
  std::string detail;  ///< what was found: "enabled, iocell's anchors referenced"
  std::string fix;     ///< when not ok: what the admin does about it
};

class IOCELL_SDK_EXPORT HostChecker {
 public:
  virtual ~HostChecker() = default;
  /// One check a line. `jails` holds every jail's spec, for checks that
  /// matter only when a jail uses what they check (forwards, bridges).
  /// Runs read-only commands only.
  virtual std::vector<HostCheck> checks(const std::vector<JailSpec>& jails) = 0;
};

}  // namespace iocell::sdk
