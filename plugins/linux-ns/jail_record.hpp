// Which process is a jail's init. The record is only a hint: a jail counts
// as running when the process it names is alive, is called iocell-init, was
// started at the recorded tick of this boot and still holds the recorded
// pid namespace. A killed init, a reused pid or a reboot all read as down.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace iocell::plugins::linux_ns {

struct JailRecord {
  pid_t pid = 0;
  std::uint64_t start_ticks = 0;
  std::string boot;
  std::uint64_t pidns = 0;
  std::string root;
  std::string ip4;
  /// The cgroup files the init joined at start, so that a command entering
  /// the jail joins the same ones without reading the host's mount table.
  /// False in records of older iocells: the groups are then found from /proc.
  bool cgroups_recorded = false;
  std::vector<std::filesystem::path> cgroups;
};

/// What /proc says about `pid` now, for a fresh record.
std::optional<JailRecord> describe_init(pid_t pid);
/// Whether the record still names a live init of ours.
bool record_alive(const JailRecord& rec);

class RecordStore {
 public:
  explicit RecordStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  /// Atomic (temporary file + rename).
  void save(const std::string& name, const JailRecord& rec) const;
  std::optional<JailRecord> load(const std::string& name) const;
  void remove(const std::string& name) const;
  /// Every record with its jail name ("ioc-<uuid>").
  std::vector<std::pair<std::string, JailRecord>> all() const;

 private:
  std::filesystem::path m_dir;
};

}  // namespace iocell::plugins::linux_ns
