// What the core hands to every plugin object it creates.
#pragma once

#include <iocell/sdk/export.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <iocell/sdk/command.hpp>

namespace spdlog {
class logger;
}

namespace iocell::sdk {

class Archiver;

enum class HostOs { FreeBSD, Linux };

inline const char* to_string(HostOs os) { return os == HostOs::FreeBSD ? "freebsd" : "linux"; }

/// Progress of a long operation (fetch, export). The core decides how to show
/// it (bar on a terminal, a line per item otherwise, nothing with -q).
class IOCELL_SDK_EXPORT Progress {
 public:
  virtual ~Progress() = default;
  virtual void begin(const std::string& item, std::uint64_t total_bytes) = 0;
  virtual void advance(std::uint64_t done_bytes) = 0;
  virtual void end(bool ok) = 0;
  virtual void info(const std::string& line) = 0;
};

struct HostContext {
  HostOs os = HostOs::Linux;
  /// The iocell state root (/iocell on FreeBSD, /var/lib/iocell on Linux).
  std::filesystem::path root;
  CommandRunner* runner = nullptr;
  /// The host's logger; plugins never call spdlog::get() (each DSO would have
  /// its own registry with a header-only spdlog).
  std::shared_ptr<spdlog::logger> log;
  Progress* progress = nullptr;
  /// --dry-run: the runner only records; plugins must not change the host by
  /// any other means either (no direct syscalls that write).
  bool dry_run = false;
  /// --dry-run: where a plugin says what it would do by other means than
  /// the runner (which reports its own commands): "destroy /iocell/jails/x".
  std::function<void(const std::string&)> on_dry_run;
  /// The host's archiver (sdk/archive.hpp), loaded on the first call: a
  /// plugin that unpacks archives (a jail type building a root from an OCI
  /// image) uses the same secure extraction as the core. Unset in contexts
  /// that have none to offer (a test's bare HostContext).
  std::function<Archiver&()> archiver;

  void would(const std::string& what) const {
    if (on_dry_run) on_dry_run(what);
  }
};

}  // namespace iocell::sdk
