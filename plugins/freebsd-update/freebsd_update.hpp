// sdk::Updater over freebsd-update(8), run on the host against the tree
// (-b basedir with --currently-running, as freebsd-update requires).
//
// A jail's own freebsd-update.conf is not handed to the host's
// freebsd-update as is: the jail's root user wrote it. Only the keys that
// choose what to fetch and how to treat local changes are copied into a
// configuration in the jail's home (outside the jail), and the work
// directory lives there too, so that nothing the jail controls decides where
// the host writes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/updater.hpp>

namespace iocell::plugins::freebsd_update {

class FreebsdUpdate : public sdk::Updater {
 public:
  explicit FreebsdUpdate(const sdk::HostContext& host) : m_host(host) {}

  std::string name() const override { return "freebsd-update"; }
  bool handles(const std::filesystem::path& root) override;
  void update_release(const std::filesystem::path& root, const std::string& release) override;
  void update(const sdk::JailSpec& spec) override;
  void upgrade(const sdk::JailSpec& spec, const std::string& to_release) override;
  void merge_etc(const sdk::JailSpec& spec, const std::string& from_release, const std::string& to_release) override;

  /// An upgrade installs in rounds (world, then old libraries); more than
  /// this many means freebsd-update is stuck in a loop.
  static constexpr int kMaxInstallRounds = 6;

  /// The keys of a jail's freebsd-update.conf that iocell keeps; the rest
  /// (WorkDir, BaseDir, BackupKernel*, CreateBootEnv, MailTo) is dropped.
  static std::string filter_conf(const std::string& jail_conf, bool for_upgrade);

 private:
  struct Paths {
    std::filesystem::path root, workdir, conf;
  };
  Paths jail_paths(const sdk::JailSpec& spec) const;
  void write_jail_conf(const sdk::JailSpec& spec, const Paths& p, bool for_upgrade) const;
  sdk::Command command(const Paths& p, const std::string& running, std::vector<std::string> tail) const;
  void run(const sdk::Command& cmd, const std::string& what) const;
  void info(const std::string& line) const;

  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::freebsd_update
