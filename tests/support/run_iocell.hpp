// Runs the real iocell binary for end-to-end tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <iocell/core/runners.hpp>

namespace iocell::test {

struct CliResult {
  int code = 0;
  std::string out, err;
};

/// iocell --root ROOT ARGS..., with extra environment. `binary` may be
/// IOCELL_SCRIPTED_BINARY, which takes a transcript, a clock and UUIDs from
/// that environment (tests/scripted/main.cpp).
inline CliResult run_iocell(const std::filesystem::path& root, std::vector<std::string> args,
                  const std::map<std::string, std::string>& env = {}, const std::string& input = "",
                  const std::string& binary = IOCELL_BINARY) {
  std::vector<std::string> argv = {binary, "--root", root.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  sdk::Command cmd(argv);
  cmd.env = env;
  if (!input.empty()) cmd.stdin_data = input;
  cmd.timeout = std::chrono::seconds(120);
  core::PosixRunner runner;
  auto res = runner.run(cmd);
  return CliResult{res.exit_code, res.out, res.err};
}

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace iocell::test
