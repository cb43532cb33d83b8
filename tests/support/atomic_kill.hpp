// Kills the real iocell binary partway through a command, for the crash
// safety tests: the product holds no test switch, so the kill comes at a
// time the test picks, many times over at spread delays.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace iocell::test::atomic {

namespace fs = std::filesystem;

/// Runs iocell --root ROOT ARGS and SIGKILLs it after `delay` unless it
/// ended before. Returns true when the kill interrupted it.
inline bool run_killed(const fs::path& root, const std::vector<std::string>& args, std::chrono::microseconds delay,
                       const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {IOCELL_BINARY, "--root", root.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + delay;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

/// Paths below `top` whose name is one iocell gives what is in flux, not
/// descending into `skip` (jail roots: a jail may name its files anything).
inline std::vector<std::string> temp_leftovers(const fs::path& top, const std::vector<fs::path>& skip) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(top, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    bool skipped = false;
    for (const auto& s : skip) skipped = skipped || it->path() == s;
    if (skipped) {
      it.disable_recursion_pending();
      continue;
    }
    const std::string n = it->path().filename().string();
    if (n.rfind(".iocell-", 0) == 0 || n.rfind(".new-", 0) == 0 || n.rfind(".staging-", 0) == 0 || n.find(".tmp-") != std::string::npos)
      out.push_back(it->path().string());
  }
  return out;
}

}  // namespace iocell::test::atomic
