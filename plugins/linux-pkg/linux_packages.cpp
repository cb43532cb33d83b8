#include "linux_packages.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/runtime.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::linux_pkg {

namespace fs = std::filesystem;

namespace {

// Present means a name in its directory (a symlink counts: it is resolved
// inside the jail when the tool runs there, never on the host). Every
// directory on the way is opened without following symlinks, so a merged
// /usr layout is found under usr/, not through the jail's /sbin link.
bool present(const sdk::SafeRoot& root, const std::string& rel) {
  try {
    const fs::path p(rel);
    sdk::UniqueFd dir = root.open_dir(p.parent_path());
    struct stat st {};
    return ::fstatat(dir.get(), p.filename().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::optional<PackageTool> detect_tool(const fs::path& root) {
  sdk::SafeRoot tree(root);
  for (const char* rel : {"sbin/apk", "usr/sbin/apk", "usr/bin/apk"}) {
    if (present(tree, rel)) return PackageTool{"apk", std::string("/") + rel, {{std::string("/") + rel, "add", "--no-progress"}}, {}};
  }
  if (present(tree, "usr/bin/apt-get")) {
    return PackageTool{"apt-get",
                       "/usr/bin/apt-get",
                       {{"/usr/bin/apt-get", "update"}, {"/usr/bin/apt-get", "install", "-y", "--no-install-recommends"}},
                       {{"DEBIAN_FRONTEND", "noninteractive"}}};
  }
  for (const char* rel : {"usr/bin/dnf", "usr/bin/dnf5"}) {
    if (present(tree, rel)) return PackageTool{"dnf", std::string("/") + rel, {{std::string("/") + rel, "install", "-y"}}, {}};
  }
  return std::nullopt;
}

void LinuxPackages::install(const sdk::JailSpec& spec, const sdk::RunState& state, const std::vector<std::string>& names,
                            sdk::Runtime& runtime) {
  if (names.empty()) return;
  for (const auto& n : names) {
    if (n.empty() || n[0] == '-' || n.find_first_of(" \t\r\n") != std::string::npos)
      throw std::runtime_error("'" + n + "' is not a package name (no leading '-', no blanks)");
  }
  auto tool = detect_tool(spec.root);
  if (!tool) throw std::runtime_error("jail " + spec.uuid + " (" + spec.tag + ") has no package tool: apk, apt-get or dnf");
  for (size_t i = 0; i < tool->steps.size(); ++i) {
    sdk::ExecRequest req;
    req.argv = tool->steps[i];
    if (i + 1 == tool->steps.size()) req.argv.insert(req.argv.end(), names.begin(), names.end());
    req.env = tool->env;
    req.env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    if (m_host.log) m_host.log->debug("running {} inside {}", sdk::format_argv(req.argv), spec.uuid);
    auto res = runtime.exec(spec, state, req);
    if (!res.ok()) {
      std::string why = res.err.empty() ? res.out : res.err;
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      throw std::runtime_error(tool->name + " failed inside " + spec.uuid + " (" + spec.tag + ") (exit " + std::to_string(res.exit_code) +
                               "): " + sdk::format_argv(req.argv) + (why.empty() ? "" : ": " + why));
    }
  }
}

}  // namespace iocell::plugins::linux_pkg
