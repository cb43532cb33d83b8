// What the host's network looks like right now (read in-process, no
// command), and the small state the Linux network plugins keep.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::linux_net {

/// The interface that carries `address` in this network namespace, if any.
std::optional<std::string> interface_with_address(const std::string& address);
bool link_exists(const std::string& name);
/// The MTU of an interface of this namespace, 0 when it cannot be read.
int link_mtu(const std::string& name);
/// Hardware addresses ("02:...") of every interface of this namespace.
std::vector<std::string> link_macs();

/// An exclusive lock (flock) on a file under the iocell root; serializes
/// bridge creation and removal between jails starting at once.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);

 private:
  sdk::UniqueFd m_fd;
};

/// "iface address/len" lines: the addresses a plugin added for a jail, so
/// that it removes those and never one the host had.
std::vector<std::string> read_lines(const std::filesystem::path& file);
void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines);

/// Runs `ip` lines (in `netns` when given): one `ip -batch -` for real, one
/// command per line under --dry-run, so that each shows as it would run.
void run_ip_lines(const sdk::HostContext& host, const std::vector<std::string>& lines, const std::string& netns = "");

}  // namespace iocell::plugins::linux_net
