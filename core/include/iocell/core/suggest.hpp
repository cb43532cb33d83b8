// "Did you mean": the known names closest to a mistyped one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iocell::core {

/// The candidates within two edits of `name`, closest first.
std::vector<std::string> near_names(std::string_view name, const std::vector<std::string_view>& candidates);
/// "; did you mean X?" for the closest candidate, or "" when none is near.
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace iocell::core
