// Argument parsing shared by the commands, over Boost.Program_options.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include <iocell/core/config_store.hpp>

namespace iocell::cli {

namespace po = boost::program_options;

struct Parsed {
  po::variables_map vars;
  std::vector<std::string> words;       ///< positionals without '='
  core::PropertyValues assignments;     ///< positionals of the form prop=value, in order of the map
  std::vector<std::pair<std::string, std::string>> assignment_list;  ///< in command-line order

  bool flag(const std::string& name) const { return vars.count(name) && vars[name].as<bool>(); }
  std::string value(const std::string& name) const {
    return vars.count(name) ? vars[name].as<std::string>() : std::string();
  }
};

/// Parses `args` with the command's options; positional words go to
/// words/assignments. Throws core::UsageError with the command's synopsis.
Parsed parse_args(const std::string& command, const std::vector<std::string>& args, const po::options_description& opts);

struct Invocation;

/// Parses the invocation's arguments with its command's flag list
/// (CommandSpec::flags).
Parsed parse_args(const Invocation& inv);

}  // namespace iocell::cli
