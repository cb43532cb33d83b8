#include "command.hpp"

#include <algorithm>

#include <iocell/core/suggest.hpp>

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

std::vector<std::string> CommandTable::suggest(const std::string& name) const {
  std::vector<std::string_view> names;
  for (const auto& c : m_commands) names.push_back(c.name);
  return core::near_names(name, names);
}

}  // namespace iocell::cli
