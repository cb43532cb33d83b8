// Runs the real iocell binary for end-to-end tests (header-only): argv in,
// exit status and captured stdout/stderr out; also a started-but-not-waited
// form for concurrency tests.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace iocell::testing {

struct IocellResult {
  int status = -1;  ///< exit code, 128+signal when killed
  std::string out, err;
};

/// A running iocell process whose output goes to files.
class IocellProcess {
 public:
  IocellProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                const std::string& binary = IOCELL_BINARY) {
    static int counter = 0;
    const auto dir = std::filesystem::temp_directory_path();
    const std::string stem = "iocell-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    m_out = dir / (stem + ".out");
    m_err = dir / (stem + ".err");
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) vars[k] = v;
    std::vector<std::string> envs;
    for (const auto& [k, v] : vars) envs.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, m_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawnp(&m_pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot run " + argv[0]);
  }
  ~IocellProcess() {
    if (m_pid > 0) wait();
    std::error_code ec;
    std::filesystem::remove(m_out, ec);
    std::filesystem::remove(m_err, ec);
  }
  IocellProcess(const IocellProcess&) = delete;
  IocellProcess& operator=(const IocellProcess&) = delete;

  IocellResult wait() {
    IocellResult r;
    int st = 0;
    if (m_pid > 0) {
      while (::waitpid(m_pid, &st, 0) < 0 && errno == EINTR) {
      }
      m_pid = -1;
      m_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    r.status = m_status;
    r.out = slurp(m_out);
    r.err = slurp(m_err);
    return r;
  }

 private:
  static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  pid_t m_pid = -1;
  int m_status = -1;
  std::filesystem::path m_out, m_err;
};

inline IocellResult run_iocell(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  IocellProcess p(args, env);
  return p.wait();
}

/// Any program (cmake, an installed iocell), found by absolute path.
inline IocellResult run_program(const std::string& binary, const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env = {}) {
  IocellProcess p(args, env, binary);
  return p.wait();
}

/// A temporary directory removed (recursively) at scope exit.
class FetchTempDir {
 public:
  explicit FetchTempDir(const std::string& tag = "fetch") {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("iocell-" + tag + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
  }
  ~FetchTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

}  // namespace iocell::testing
