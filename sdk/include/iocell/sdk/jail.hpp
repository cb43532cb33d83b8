// A jail as the runtime, network, limit and package plugins see it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/properties.hpp>

namespace iocell::sdk {

struct JailSpec {
  std::string uuid;
  std::string name;  ///< kernel jail name: "ioc-<uuid>"
  std::string tag;
  std::string dataset;             ///< storage-relative: "jails/<uuid>" or "templates/<uuid>"
  std::filesystem::path home;      ///< mountpoint of `dataset` (config.json, fstab live here)
  std::filesystem::path root;      ///< the jail's filesystem: home/"root"
  std::filesystem::path console_log;  ///< <root>/log/<uuid>-console.log
  PropertyMap props;               ///< effective, validated values

  /// Extra kernel parameters contributed by network and limit plugins during
  /// prepare (FreeBSD: jail(8) params such as ip4.addr, vnet; Linux: "netns").
  std::vector<std::pair<std::string, std::string>> params;
  /// Files a process must write its pid into before it runs anything inside
  /// the jail (Linux cgroup.procs of every hierarchy). Filled by limits.
  std::vector<std::filesystem::path> attach_files;
};

/// What the kernel says about a running jail.
struct RunState {
  std::string name;      ///< "ioc-<uuid>"
  std::int64_t jid = 0;  ///< FreeBSD jid; Linux: host pid of the jail's init
  std::string path;      ///< root path as the kernel reports it
  std::string ip4;       ///< shared-IP addresses, comma separated, or ""
};

}  // namespace iocell::sdk
