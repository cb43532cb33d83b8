#include "pkg_packages.hpp"

#include "pkgbase_release.hpp"

#include <stdexcept>

namespace iocell::plugins::pkg {

void check_package_names(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (n.empty() || n[0] == '-' || n.find_first_of(" \t\r\n") != std::string::npos)
      throw std::runtime_error("'" + n + "' is not a package name (no leading '-', no blanks)");
  }
}

void PkgPackages::install(const sdk::JailSpec& spec, const sdk::RunState& state, const std::vector<std::string>& names,
                          sdk::Runtime& /*runtime*/) {
  if (names.empty()) return;
  check_package_names(names);
  sdk::Command cmd({"pkg", "-j", std::to_string(state.jid), "install", "-y"});
  cmd.argv.insert(cmd.argv.end(), names.begin(), names.end());
  cmd.env["ASSUME_ALWAYS_YES"] = "yes";
  auto res = m_host.runner->run(cmd);
  if (!res.ok()) {
    std::string why = res.err.empty() ? res.out : res.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw std::runtime_error("pkg install inside " + spec.uuid + " (" + spec.tag + ") failed (exit " + std::to_string(res.exit_code) +
                             "): " + why);
  }
}

std::vector<std::string> PkgPackages::build_base_tree(const sdk::BaseTreeRequest& req) { return build_pkgbase_release(m_host, req); }

}  // namespace iocell::plugins::pkg
