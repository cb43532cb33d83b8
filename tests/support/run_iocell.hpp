// Runs the real iocell binary for end-to-end tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <sstream>
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

/// `r`, after recording a test failure that names `iocell ARGS` and its
/// output unless it exited 0.
inline CliResult expect_success(const std::vector<std::string>& args, CliResult r) {
  std::string shown;
  for (const auto& a : args) shown += " " + a;
  EXPECT_EQ(r.code, 0) << "iocell" << shown << "\nstdout: " << r.out << "\nstderr: " << r.err;
  return r;
}

/// The UUID of the jail tagged `tag` in `iocell list -H` output, "" if none.
inline std::string uuid_in_list(const std::string& list_output, const std::string& tag) {
  std::istringstream in(list_output);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cols;
    std::istringstream ls(line);
    for (std::string c; std::getline(ls, c, '\t');) cols.push_back(c);
    if (cols.size() > 4 && cols[4] == tag) return cols[1];
  }
  return "";
}

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace iocell::test
