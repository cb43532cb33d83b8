#include "pkgbase_release.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include <iocell/sdk/errors.hpp>
#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/freebsd_base.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::pkg {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSetPrefix = "FreeBSD-set-";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

void progress(const sdk::HostContext& host, const std::string& line) {
  if (host.progress) host.progress->info(line);
  else if (host.log) host.log->info("{}", line);
}

}  // namespace

std::vector<std::string> choose_pkgbase_packages(const std::vector<std::string>& catalogue, const std::vector<std::string>& sets) {
  auto has = [&](const std::string& p) { return std::find(catalogue.begin(), catalogue.end(), p) != catalogue.end(); };
  std::vector<std::string> out;
  if (sets.empty()) {
    for (const auto& [jail, plain] : {std::pair<std::string, std::string>{"minimal-jail", "minimal"}, {"base-jail", "base"}}) {
      if (has(kSetPrefix + jail)) out.push_back(kSetPrefix + jail);
      else if (has(kSetPrefix + plain)) out.push_back(kSetPrefix + plain);
      else if (plain == "minimal") throw sdk::InvalidRequest("the FreeBSD-base repository has neither FreeBSD-set-minimal-jail nor FreeBSD-set-minimal");
    }
  } else {
    for (const auto& s : sets) {
      if (s.rfind("kernel", 0) == 0) throw sdk::InvalidRequest("set '" + s + "': a jail's release has no kernel");
      if (!has(kSetPrefix + s)) {
        std::string available;
        for (const auto& c : catalogue)
          if (c.rfind(kSetPrefix, 0) == 0 && c.find("kernel") == std::string::npos)
            available += (available.empty() ? "" : ", ") + c.substr(std::string(kSetPrefix).size());
        throw sdk::InvalidRequest("the FreeBSD-base repository has no set '" + s + "'; it has: " + available);
      }
      out.push_back(kSetPrefix + s);
    }
  }
  // pkg itself, when the repository builds it, so that the jail can manage
  // its own packages.
  if (has("pkg")) out.push_back("pkg");
  return out;
}

std::vector<std::string> build_pkgbase_release(const sdk::HostContext& host, const sdk::BaseTreeRequest& req) {
  sdk::CommandRunner& runner = *host.runner;
  const fs::path keys = req.keys.empty() ? fs::path("/usr/share/keys") : req.keys;
  auto v = sdk::freebsd::parse_release(req.release);
  if (!v) throw sdk::InvalidRequest("invalid release '" + req.release + "' for pkgbase: allowed: names such as 15.0-RELEASE or 16.0-CURRENT");
  if (v->major < 15) throw sdk::InvalidRequest("release " + req.release + " has no FreeBSD-base packages (pkgbase starts with 15.0); fetch its distribution sets");
  std::string arch = req.arch;
  if (arch.empty()) arch = trimmed(runner.check(sdk::Command({"uname", "-p"})).out);
  if (arch.empty() || arch.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    throw std::runtime_error("unusable processor architecture '" + arch + "' (from uname -p)");

  const std::string key = "pkgbase-" + std::to_string(v->major);
  const fs::path repo_dir = req.workdir / "repos";
  if (!host.dry_run) {
    struct stat st {};
    if (::stat((keys / key).c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw std::runtime_error("this host has no " + (keys / key).string() + ", the key FreeBSD-base " + std::to_string(v->major) +
                    " packages are signed with (a FreeBSD " + std::to_string(v->major) + " host has it)");
    // The release tree is ours (a fresh staging directory), not a jail's.
    sdk::SafeRoot(req.root).make_dirs("usr/share/keys");
    sdk::tree::copy_tree(keys / key, req.root / "usr/share/keys" / key);
    fs::create_directories(repo_dir);
    std::ofstream out(repo_dir / "FreeBSD-base.conf", std::ios::trunc);
    out << sdk::freebsd::pkgbase_repo_conf(*v, req.url);
    if (!out.flush()) throw std::runtime_error("cannot write " + (repo_dir / "FreeBSD-base.conf").string());
  }

  const std::vector<std::string> pkg = {"pkg", "--rootdir", req.root.string(), "--repo-conf-dir", repo_dir.string(),
                                        "-o", "IGNORE_OSVERSION=yes", "-o", "ABI=FreeBSD:" + std::to_string(v->major) + ":" + arch};
  auto with = [&pkg](std::initializer_list<std::string> tail) {
    sdk::Command cmd(pkg);
    cmd.argv.insert(cmd.argv.end(), tail);
    cmd.env["ASSUME_ALWAYS_YES"] = "yes";
    return cmd;
  };
  progress(host, "fetching the FreeBSD-base catalogue for " + req.release);
  runner.check(with({"update", "-r", "FreeBSD-base"}));
  auto query = runner.check(with({"rquery", "-U", "-r", "FreeBSD-base", "%n"}));
  std::vector<std::string> catalogue;
  std::istringstream lines(query.out);
  for (std::string line; std::getline(lines, line);)
    if (!trimmed(line).empty()) catalogue.push_back(trimmed(line));

  const std::vector<std::string> packages =
      host.dry_run && catalogue.empty() ? std::vector<std::string>{} : choose_pkgbase_packages(catalogue, req.sets);
  sdk::Command install = with({"install", "-U", "-y", "-r", "FreeBSD-base"});
  install.argv.insert(install.argv.end(), packages.begin(), packages.end());
  progress(host, "installing " + std::to_string(packages.size()) + " FreeBSD-base packages into " + req.root.string());
  runner.check(install);

  // The installed system updates itself from FreeBSD-base (/etc/pkg/FreeBSD.conf ships it disabled).
  if (!host.dry_run) sdk::SafeRoot(req.root).write_file("usr/local/etc/pkg/repos/FreeBSD.conf", "FreeBSD-base: { enabled: yes }\n");
  return packages;
}

}  // namespace iocell::plugins::pkg
