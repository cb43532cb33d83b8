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
