#include "zfs_cli.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace iocell::plugins::zfs {

void ZfsCli::require_program(const sdk::Command& cmd, const sdk::CommandResult& res) const {
  if (res.exit_code != 127 || cmd.argv.empty()) return;
  std::string err = res.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  throw std::runtime_error(cmd.argv.front() + " cannot be run (" + (err.empty() ? "exit 127" : err) +
                           "): the zfs storage needs the zfs(8) and zpool(8) tools of a FreeBSD host with ZFS");
}

namespace {

// A rename or destroy unmounts, and the unmount is refused while something
// still holds the dataset. Right after a jail stops that is often only the
// tail of its end: a dying jail's references on FreeBSD, and on zfs-fuse the
// kernel's release of files already closed, which reaches the daemon later.
bool busy_unmount(const sdk::Command& cmd, const sdk::CommandResult& res) {
  return !res.ok() && cmd.argv.size() > 1 && cmd.argv[0] == "zfs" && (cmd.argv[1] == "rename" || cmd.argv[1] == "destroy") &&
         res.err.find("dataset is busy") != std::string::npos;
}

constexpr int kBusyRetries = 8;

}  // namespace

sdk::CommandResult ZfsCli::run(const sdk::Command& cmd) {
  if (!m_runner) throw std::logic_error("zfs storage: no command runner");
  sdk::CommandResult res = m_runner->run(cmd);
  require_program(cmd, res);
  for (int i = 1; i <= kBusyRetries && busy_unmount(cmd, res); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * i));
    res = m_runner->run(cmd);
  }
  return res;
}

sdk::CommandResult ZfsCli::check(const sdk::Command& cmd) {
  sdk::CommandResult res = run(cmd);
  if (!res.ok()) throw sdk::CommandFailed(cmd, res);
  return res;
}

void ZfsCli::pipe(const sdk::Command& from, const sdk::Command& to) {
  if (!m_runner) throw std::logic_error("zfs storage: no command runner");
  auto results = m_runner->run_pipeline({from, to});
  if (results.size() != 2) throw std::logic_error("zfs storage: the runner returned " + std::to_string(results.size()) + " results for 2 stages");
  require_program(from, results[0]);
  require_program(to, results[1]);
  if (!results[1].ok()) {
    sdk::CommandResult res = results[1];
    if (!results[0].ok() && !results[0].err.empty()) res.err += "\n(" + sdk::format_argv(from.argv) + ": " + results[0].err + ")";
    throw sdk::CommandFailed(to, res);
  }
  if (!results[0].ok()) throw sdk::CommandFailed(from, results[0]);
}

bool dataset_missing(const sdk::CommandResult& res) {
  return res.exit_code == 1 && res.err.find("dataset does not exist") != std::string::npos;
}

}  // namespace iocell::plugins::zfs
