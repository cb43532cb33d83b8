// Helpers of the docs_* end-to-end tests: run the real binary (or any
// program), read committed files.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <iocell/core/runners.hpp>

namespace iocell::test::docs {

struct Output {
  int code = 0;
  std::string out, err;
};

inline Output run(std::vector<std::string> argv, const std::map<std::string, std::string>& env = {}, const std::string& cwd = "") {
  sdk::Command cmd(std::move(argv));
  cmd.env = env;
  cmd.cwd = cwd;
  cmd.timeout = std::chrono::seconds(120);
  auto res = core::PosixRunner().run(cmd);
  return Output{res.exit_code, res.out, res.err};
}

/// iocell --root ROOT ARGS...
inline Output iocell_at(const std::filesystem::path& root, std::vector<std::string> args,
                        const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), {IOCELL_BINARY, "--root", root.string()});
  return run(std::move(args), env);
}

inline std::string source_file(const std::string& rel) {
  std::ifstream in(std::string(IOCELL_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool has_program(const std::string& name) {
  return run({"/bin/sh", "-c", "command -v " + name}).code == 0;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

/// Visible commands, as `iocell help` lists them: "  SYNOPSIS" lines.
inline std::vector<std::string> help_commands(const std::filesystem::path& root) {
  std::vector<std::string> names;
  for (const auto& l : lines(iocell_at(root, {"help"}).out)) {
    if (l.size() < 3 || l.compare(0, 2, "  ") != 0 || l[2] == ' ') continue;
    std::string name = l.substr(2, l.find(' ', 2) - 2);
    if (name.rfind("__", 0) != 0) names.push_back(name);
  }
  return names;
}

}  // namespace iocell::test::docs
