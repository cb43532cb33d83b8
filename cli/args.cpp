#include "args.hpp"

#include <iocell/core/errors.hpp>

#include "command.hpp"

namespace iocell::cli {


Parsed parse_args(const std::string& command, const std::vector<std::string>& args, const po::options_description& opts) {
  po::options_description all(opts);
  all.add_options()("positional", po::value<std::vector<std::string>>()->multitoken(), "");
  po::positional_options_description pos;
  pos.add("positional", -1);
  Parsed p;
  try {
    auto style = po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(all).positional(pos).style(style).run(), p.vars);
    po::notify(p.vars);
  } catch (const po::error& e) {
    std::string usage;
    if (auto* spec = CommandTable::instance().find(command)) usage = "\nusage: iocell " + synopsis(*spec);
    throw core::UsageError(command + ": " + e.what() + usage);
  }
  if (p.vars.count("positional")) {
    for (const auto& w : p.vars["positional"].as<std::vector<std::string>>()) {
      auto eq = w.find('=');
      if (eq != std::string::npos && eq > 0) {
        std::string key = w.substr(0, eq), val = w.substr(eq + 1);
        p.assignments[key] = val;
        p.assignment_list.emplace_back(key, val);
      } else {
        p.words.push_back(w);
      }
    }
  }
  return p;
}

Parsed parse_args(const Invocation& inv) {
  const CommandSpec* spec = CommandTable::instance().find(inv.command);
  po::options_description opts(inv.command);
  if (spec) {
    for (const auto& f : spec->flags) {
      const std::string key = f.letter ? f.name + "," + f.letter : f.name;
      if (f.value.empty() && f.choices.empty()) opts.add_options()(key.c_str(), po::bool_switch(), f.help.c_str());
      else opts.add_options()(key.c_str(), po::value<std::string>(), f.help.c_str());
    }
  }
  Parsed p = parse_args(inv.command, inv.args, opts);
  if (spec) {
    // Flags of one group exclude each other (the synopsis shows them as [-a|-b]).
    const auto given = [&p](const Flag& f) {
      auto it = p.vars.find(f.name);
      if (it == p.vars.end() || it->second.defaulted()) return false;
      const bool* on = boost::any_cast<bool>(&it->second.value());
      return on ? *on : true;
    };
    for (const auto& f : spec->flags) {
      if (!f.alternatives || !given(f)) continue;
      for (const auto& g : spec->flags) {
        if (&g == &f || g.alternatives != f.alternatives || !given(g)) continue;
        throw core::UsageError(inv.command + ": --" + f.name + " and --" + g.name + " exclude each other\nusage: iocell " + synopsis(*spec));
      }
    }
  }
  return p;
}

}  // namespace iocell::cli
