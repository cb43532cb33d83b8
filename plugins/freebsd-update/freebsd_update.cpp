#include "freebsd_update.hpp"

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/freebsd_base.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::freebsd_update {

namespace fs = std::filesystem;

namespace {

constexpr const char* kConf = "etc/freebsd-update.conf";

std::string tail_of(const sdk::CommandResult& res) {
  std::string text = res.out + res.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  // The reason is in the last lines; the rest is download progress.
  size_t pos = text.size();
  for (int lines = 0; lines < 6 && pos != std::string::npos && pos > 0; ++lines) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

bool safe_value(const std::string& v) {
  for (char c : v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./:+- \t").find(c) != std::string_view::npos)) return false;
  return true;
}

}  // namespace

void FreebsdUpdate::info(const std::string& line) const {
  if (m_host.progress) m_host.progress->info(line);
  else if (m_host.log) m_host.log->info("{}", line);
}

bool FreebsdUpdate::handles(const fs::path& root) {
  return sdk::freebsd::regular_file_in(root, kConf) && !sdk::freebsd::is_pkgbase(*m_host.runner, root);
}

std::string FreebsdUpdate::filter_conf(const std::string& jail_conf, bool for_upgrade) {
  static const std::set<std::string> kept = {"KeyPrint",   "ServerName",          "Components",        "IgnorePaths",
                                             "IDSIgnorePaths", "UpdateIfUnmodified", "MergeChanges",      "KeepModifiedMetadata",
                                             "AllowAdd",   "AllowDelete",         "StrictComponents"};
  // An upgrade must not stop to ask: exactly the world component, and no
  // three-way merges (they open $EDITOR on a conflict).
  static const std::set<std::string> upgrade_dropped = {"Components", "StrictComponents", "MergeChanges"};
  std::ostringstream out;
  out << "# written by iocell from the jail's etc/freebsd-update.conf\n";
  std::istringstream in(jail_conf);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string key, rest;
    if (!(words >> key)) continue;
    std::getline(words, rest);
    if (!kept.count(key) || (for_upgrade && upgrade_dropped.count(key)) || !safe_value(rest)) continue;
    out << key << rest << "\n";
  }
  if (for_upgrade) out << "Components world\nStrictComponents yes\n";
  return out.str();
}

FreebsdUpdate::Paths FreebsdUpdate::jail_paths(const sdk::JailSpec& spec) const {
  return Paths{spec.root, spec.home / "freebsd-update", spec.home / "freebsd-update.conf"};
}

void FreebsdUpdate::write_jail_conf(const sdk::JailSpec& spec, const Paths& p, bool for_upgrade) const {
  std::string conf;
  bool found = false;
  try {
    found = sdk::SafeRoot(spec.root).read_file(kConf, conf);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read the jail's " + std::string(kConf) + ": " + e.what());
  }
  if (!found) throw std::runtime_error("jail " + spec.uuid + " has no " + kConf + ": freebsd-update cannot patch it");
  if (m_host.dry_run) return;
  std::error_code ec;
  fs::create_directories(p.workdir, ec);
  if (ec) throw std::runtime_error("cannot create " + p.workdir.string() + ": " + ec.message());
  ::chmod(p.workdir.c_str(), 0700);
  std::ofstream out(p.conf, std::ios::trunc);
  out << filter_conf(conf, for_upgrade);
  if (!out.flush()) throw std::runtime_error("cannot write " + p.conf.string());
}

sdk::Command FreebsdUpdate::command(const Paths& p, const std::string& running, std::vector<std::string> tail) const {
  sdk::Command cmd({"freebsd-update", "-b", p.root.string(), "-d", p.workdir.string(), "-f", p.conf.string(),
                    "--currently-running", running});
  for (auto& w : tail) cmd.argv.push_back(std::move(w));
  cmd.env["PAGER"] = "cat";
  return cmd;
}

void FreebsdUpdate::run(const sdk::Command& cmd, const std::string& what) const {
  auto res = m_host.runner->run(cmd);
  if (!res.ok())
    throw std::runtime_error("freebsd-update " + what + " failed (exit " + std::to_string(res.exit_code) + "): " + tail_of(res));
}

void FreebsdUpdate::update_release(const fs::path& root, const std::string& release) {
  if (!sdk::freebsd::regular_file_in(root, kConf))
    throw std::runtime_error(root.string() + " has no " + kConf + ": freebsd-update cannot patch it");
  const Paths p{root, root / "var/db/freebsd-update", root / kConf};
  if (!m_host.dry_run) sdk::SafeRoot(root).make_dirs("var/db/freebsd-update", 0700);
  info("patching release " + release + " with freebsd-update");
  run(command(p, release, {"--not-running-from-cron", "fetch", "install"}), "of release " + release);
}

void FreebsdUpdate::update(const sdk::JailSpec& spec) {
  const std::string release = spec.props.get("release");
  if (!sdk::freebsd::parse_release(release)) throw std::runtime_error("jail " + spec.uuid + " has no FreeBSD release (release=" + release + ")");
  const Paths p = jail_paths(spec);
  write_jail_conf(spec, p, false);
  info("patching " + spec.uuid + " (" + spec.tag + ") with freebsd-update");
  try {
    run(command(p, release, {"--not-running-from-cron", "fetch", "install"}), "of " + spec.uuid);
  } catch (...) {
    std::error_code ec;
    fs::remove(p.conf, ec);
    throw;
  }
  std::error_code ec;
  fs::remove(p.conf, ec);
}

void FreebsdUpdate::upgrade(const sdk::JailSpec& spec, const std::string& to_release) {
  const std::string from = spec.props.get("release");
  if (!sdk::freebsd::parse_release(from)) throw std::runtime_error("jail " + spec.uuid + " has no FreeBSD release (release=" + from + ")");
  if (!sdk::freebsd::parse_release(to_release)) throw std::runtime_error("cannot upgrade to '" + to_release + "': not a FreeBSD release name");
  const Paths p = jail_paths(spec);
  write_jail_conf(spec, p, true);
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove(p.conf, ec);
  };
  try {
    info("upgrading " + spec.uuid + " (" + spec.tag + ") from " + from + " to " + to_release);
    run(command(p, from, {"-r", to_release, "--not-running-from-cron", "upgrade"}), "upgrade to " + to_release);
    // Each install round says whether another is needed; exit 2 means
    // nothing is left to install.
    for (int round = 1;; ++round) {
      if (round > kMaxInstallRounds)
        throw std::runtime_error("freebsd-update install still had updates to install after " + std::to_string(kMaxInstallRounds) + " rounds");
      auto cmd = command(p, from, {"--not-running-from-cron", "install"});
      auto res = m_host.runner->run(cmd);
      if (res.exit_code == 2 && !res.timed_out) break;
      if (!res.ok())
        throw std::runtime_error("freebsd-update install (round " + std::to_string(round) + ") failed (exit " +
                                 std::to_string(res.exit_code) + "): " + tail_of(res));
      if (m_host.dry_run) break;
    }
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
}

void FreebsdUpdate::merge_etc(const sdk::JailSpec& spec, const std::string& from_release, const std::string& to_release) {
  const fs::path releases = m_host.root / "releases";
  const fs::path workdir = spec.home / "etcupdate";
  auto conflicts = sdk::freebsd::etcupdate_merge(*m_host.runner, spec.root, workdir, releases / from_release / "root/usr/src",
                                                releases / to_release / "root/usr/src");
  if (conflicts.empty()) return;
  std::string names;
  for (const auto& c : conflicts) names += " " + c;
  if (m_host.log)
    m_host.log->warn("/etc of {} has conflicts etcupdate left for you:{}; resolve them with: etcupdate resolve -D {} -d {}", spec.uuid,
                     names, spec.root.string(), workdir.string());
}

}  // namespace iocell::plugins::freebsd_update
