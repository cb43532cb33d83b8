#include "command.hpp"

#include <algorithm>

namespace iocell::cli {

CommandTable& CommandTable::instance() {
  static CommandTable table;
  return table;
}

// Registration runs before main() in every invocation: appending is all it
// does (sorting on each add copied the table ~n^2/2 times); the table is
// sorted by name where an ordered listing is asked for.
void CommandTable::add(CommandSpec spec) {
  m_commands.push_back(std::move(spec));
  m_sorted = false;
}

std::vector<Flag> with_output_flags(std::vector<Flag> flags) {
  flags.push_back({"scripted", 'H', "", "scripted output: no header, tab separated"});
  flags.push_back({"json", 0, "", "JSON output"});
  return flags;
}

std::string flag_word(const Flag& f) { return f.letter ? std::string{'-', f.letter} : "--" + f.name; }

std::string synopsis(const CommandSpec& spec) {
  std::string out = spec.name;
  for (size_t i = 0; i < spec.flags.size(); ++i) {
    const Flag& f = spec.flags[i];
    // An alternative already shown with the first of its group.
    bool shown = false;
    for (size_t k = 0; k < i; ++k) shown = shown || (f.alternatives && spec.flags[k].alternatives == f.alternatives);
    if (shown) continue;
    out += " [";
    bool first = true;
    for (size_t k = i; k < spec.flags.size(); ++k) {
      const Flag& g = spec.flags[k];
      if (k != i && (!f.alternatives || g.alternatives != f.alternatives)) continue;
      out += (first ? "" : "|") + flag_word(g);
      first = false;
      if (!g.choices.empty()) {
        out += " ";
        for (size_t c = 0; c < g.choices.size(); ++c) out += (c ? "|" : "") + g.choices[c];
      } else if (!g.value.empty()) {
        out += " " + g.value;
      }
    }
    out += "]";
  }
  if (!spec.operands.empty()) out += " " + spec.operands;
  return out;
}

const std::vector<CommandSpec>& CommandTable::all() const {
  if (!m_sorted) {
    std::sort(m_commands.begin(), m_commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    m_sorted = true;
  }
  return m_commands;
}

const CommandSpec* CommandTable::find(const std::string& name) const {
  for (const auto& c : m_commands) {
    if (c.name == name || std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end()) return &c;
  }
  return nullptr;
}

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
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

std::vector<std::string> CommandTable::suggest(const std::string& name) const {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : m_commands) {
    size_t d = edit_distance(name, c.name);
    if (d <= 2) scored.emplace_back(d, c.name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& [d, n] : scored) out.push_back(n);
  return out;
}

}  // namespace iocell::cli
