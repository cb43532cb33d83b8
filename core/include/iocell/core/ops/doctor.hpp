// iocell doctor: a host preflight. The checks come from the plugins
// (sdk/doctor.hpp); the core adds what only it knows: which plugins loaded,
// which files were skipped and why, and whether the storage is ready.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/doctor.hpp>

namespace iocell::core {

class Context;

struct DoctorLine {
  std::string source;  ///< the plugin the check came from, or "iocell"
  sdk::HostCheck check;
};

std::vector<DoctorLine> run_doctor(Context& ctx);

}  // namespace iocell::core
