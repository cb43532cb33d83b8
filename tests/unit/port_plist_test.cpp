// The FreeBSD port (docs/port/sysutils/iocell) against what `cmake --install`
// really installs: a file the build installs but pkg-plist lacks fails the
// port's `make check-plist` (an orphan in the stage), and a listed file the
// build no longer installs fails `make package`. Both are caught here, on the
// Linux build, before a FreeBSD builder sees the port.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <iocell/core/runners.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kPort = fs::path(IOCELL_SOURCE_DIR) / "docs/port/sysutils/iocell";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// NAME:TYPE=VALUE lines of the build's CMakeCache.txt.
std::map<std::string, std::string> cmake_cache() {
  std::map<std::string, std::string> out;
  std::istringstream in(slurp(fs::path(IOCELL_BINARY_DIR) / "CMakeCache.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '/') continue;
    const auto colon = line.find(':');
    const auto eq = line.find('=');
    if (colon == std::string::npos || eq == std::string::npos || colon > eq) continue;
    out[line.substr(0, colon)] = line.substr(eq + 1);
  }
  return out;
}

/// pkg-plist entries: PREFIX-relative paths, keywords (@dir, @sample...) aside.
std::set<std::string> plist() {
  std::set<std::string> out;
  std::istringstream in(slurp(kPort / "pkg-plist"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '@') out.insert(line);
  return out;
}

/// What the port's package holds, from the files `cmake --install` put under
/// `prefix`, after what the port's Makefile does to the stage:
/// - etc/rc.d/iocell: USE_RC_SUBR installs files/iocell.in there and adds it
///   to the packing list itself, so pkg-plist must not name it;
/// - lib/systemd: post-install removes the Linux unit;
/// - manual pages: the framework gzips them, pkg-plist names the .gz.
std::set<std::string> packaged(const fs::path& prefix) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(prefix)) {
    if (e.is_directory() && !e.is_symlink()) continue;
    // lexically: fs::relative would resolve a link (sbin/iocell-runtime) to its target.
    std::string rel = e.path().lexically_relative(prefix).generic_string();
    if (rel == "etc/rc.d/iocell" || rel.rfind("lib/systemd/", 0) == 0) continue;
    if (rel.rfind("share/man/man", 0) == 0) rel += ".gz";
    out.insert(rel);
  }
  return out;
}

}  // namespace

TEST(PortPlist, MakefileDoesWhatThePlistAssumes) {
  const std::string mk = slurp(kPort / "Makefile");
  EXPECT_NE(mk.find("\nUSE_RC_SUBR=\tiocell\n"), std::string::npos) << "pkg-plist leaves etc/rc.d/iocell to USE_RC_SUBR";
  EXPECT_NE(mk.find("${RM} -r ${STAGEDIR}${PREFIX}/lib/systemd"), std::string::npos)
      << "pkg-plist leaves out the systemd unit, which post-install must remove";
  EXPECT_NE(mk.find("\nCMAKE_OFF=\tIOCELL_BUILD_TESTS\n"), std::string::npos) << "the package build must not need GoogleTest";
}

// USE_RC_SUBR installs files/iocell.in, not rc.d/iocell: the two must not
// drift apart beyond the %%PREFIX%% the framework substitutes.
TEST(PortPlist, RcScriptIsTheSourceTreesWithPrefix) {
  std::string expected = slurp(fs::path(IOCELL_SOURCE_DIR) / "rc.d/iocell");
  for (size_t at = 0; (at = expected.find("/usr/local", at)) != std::string::npos; at += 10)
    expected.replace(at, 10, "%%PREFIX%%");
  EXPECT_EQ(slurp(kPort / "files/iocell.in"), expected);
}

TEST(PortPlist, ListsExactlyWhatCmakeInstalls) {
  auto cache = cmake_cache();
  if (!cache["IOCELL_PLUGIN_SELECTION"].empty())
    GTEST_SKIP() << "IOCELL_PLUGIN_SELECTION=" << cache["IOCELL_PLUGIN_SELECTION"] << " builds only some plugins; the port builds all";
  // The port relies on the GNUInstallDirs defaults, which are FreeBSD's too
  // (MANDIR is share/man there since 2024). A build configured for another
  // layout installs elsewhere by choice: nothing to compare.
  const std::map<std::string, std::string> freebsd = {{"CMAKE_INSTALL_SBINDIR", "sbin"},
                                                      {"CMAKE_INSTALL_LIBDIR", "lib"},
                                                      {"CMAKE_INSTALL_INCLUDEDIR", "include"},
                                                      {"CMAKE_INSTALL_SYSCONFDIR", "etc"},
                                                      {"CMAKE_INSTALL_DATAROOTDIR", "share"}};
  for (const auto& [var, want] : freebsd)
    if (!cache[var].empty() && cache[var] != want)
      GTEST_SKIP() << "the build sets " << var << "=" << cache[var] << ", the port's layout has " << want;
  if (!cache["CMAKE_INSTALL_MANDIR"].empty() && cache["CMAKE_INSTALL_MANDIR"] != "share/man")
    GTEST_SKIP() << "the build sets CMAKE_INSTALL_MANDIR=" << cache["CMAKE_INSTALL_MANDIR"];

  iocell::test::TempDir stage("iocell-port");
  iocell::sdk::Command cmd({cache["CMAKE_COMMAND"], "--install", IOCELL_BINARY_DIR, "--prefix", stage.path().string()});
  cmd.timeout = std::chrono::seconds(120);
  iocell::core::PosixRunner runner;
  const auto res = runner.run(cmd);
  ASSERT_EQ(res.exit_code, 0) << res.err;

  const auto installed = packaged(stage.path());
  const auto listed = plist();
  for (const auto& f : installed) EXPECT_TRUE(listed.count(f)) << f << " is installed but not in pkg-plist";
  for (const auto& f : listed) EXPECT_TRUE(installed.count(f)) << f << " is in pkg-plist but not installed";
}
