// Services for a test of whole commands: a transcript plays the runner, and
// the transcript must be played whole when the command has run (a command
// off the script fails where it runs, and code that catches and goes on,
// clean-up after an error, must not hide that from the test).
#pragma once

#include <ctime>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>
#include <iocell/core/services.hpp>
#include <iocell/sdk/testing/scripted_runner.hpp>

namespace iocell::test {

inline core::Services transcript_services(const std::string& file, const std::map<std::string, std::string>& vars) {
  core::Services s;
  auto runner = std::make_unique<sdk::testing::ScriptedRunner>(sdk::testing::load_transcript(file, vars));
  const auto* played = runner.get();
  s.runner = std::move(runner);
  s.at_finish = [played] {
    if (!played->failures().empty()) throw std::runtime_error("transcript broken: " + played->failures().front());
    if (!played->done()) throw std::runtime_error("transcript not finished; expected still:\n" + played->remaining());
  };
  return s;
}

/// A clock stopped at `epoch` seconds.
inline std::function<std::time_t()> fixed_clock(std::time_t epoch) {
  return [epoch] { return epoch; };
}

/// The UUIDs given, in order, then random ones.
inline std::function<std::string()> uuids_in_order(std::vector<std::string> uuids) {
  auto next = std::make_shared<size_t>(0);
  return [uuids = std::move(uuids), next]() -> std::string {
    if (*next < uuids.size()) return uuids[(*next)++];
    return core::Inventory::new_uuid();
  };
}

}  // namespace iocell::test
