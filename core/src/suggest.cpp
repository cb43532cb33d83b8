#include <iocell/core/suggest.hpp>

#include <algorithm>
#include <utility>

namespace iocell::core {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<std::string> near_names(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (auto c : candidates)
    if (size_t d = edit_distance(name, c); d <= 2) scored.emplace_back(d, c);
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& [d, n] : scored) out.emplace_back(n);
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
  auto near = near_names(name, candidates);
  return near.empty() ? "" : "; did you mean " + near.front() + "?";
}

}  // namespace iocell::core
