// Errors a plugin raises that the core treats by kind, not by message.
#pragma once

#include <iocell/sdk/export.hpp>

#include <stdexcept>
#include <string>

namespace iocell::sdk {

/// A request the user got wrong: a value the plugin cannot serve (a release
/// older than what the backend supports, a set that does not exist). The
/// message names the value and what is allowed. The CLI exits with the usage
/// code, as for the core's own usage errors. Nothing was changed.
class IOCELL_SDK_EXPORT InvalidRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace iocell::sdk
