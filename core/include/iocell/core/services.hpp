// What the process is built with. The iocell binary leaves every member
// empty and gets the real ones; a test program (tests/scripted/main.cpp)
// builds its own: a transcript for the runner, a fixed clock, known UUIDs.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/command.hpp>

namespace iocell::core {

struct Services {
  std::unique_ptr<sdk::CommandRunner> runner;  ///< empty: commands run for real
  std::function<std::time_t()> clock;         ///< empty: the system clock
  std::function<std::string()> uuid;          ///< empty: random version-4 UUIDs
  std::optional<sdk::HostOs> os;              ///< empty: the running kernel's
  bool check_root = true;                     ///< commands that change state need root
  /// Called when a command has run: a transcript fails here if it was not played whole.
  std::function<void()> at_finish;
};

}  // namespace iocell::core
