// The out-of-tree plugin of docs/examples/mirror-fetcher, built the way a
// third party would: `cmake --install` of this build into a prefix,
// find_package(iocell-sdk) against it, IOCELL_PLUGIN_PATH to load it, and a
// release fetched through its mirror:// scheme by the installed iocell.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fetch_release_builder.hpp"
#include "support/fetch_run.hpp"

namespace iocell::testing {
namespace {

namespace fs = std::filesystem;

TEST(SdkExample, MirrorFetcherBuildsAgainstTheInstalledSdkAndFetches) {
  FetchTempDir tmp("sdk-example");
  const fs::path prefix = tmp.path() / "prefix";
  auto r = run_program("cmake", {"--install", IOCELL_BINARY_DIR, "--prefix", prefix.string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ASSERT_TRUE(fs::exists(prefix / "lib/cmake/iocell-sdk/iocell-sdk-config.cmake"));
  ASSERT_TRUE(fs::exists(prefix / "include/iocell/sdk/plugin.hpp"));
  const fs::path iocell = prefix / "sbin/iocell";
  ASSERT_TRUE(fs::exists(iocell));

  const fs::path build = tmp.path() / "build";
  r = run_program("cmake", {"-S", std::string(IOCELL_SOURCE_DIR) + "/docs/examples/mirror-fetcher", "-B", build.string(),
                            "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_BUILD_TYPE=Release"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  r = run_program("cmake", {"--build", build.string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ASSERT_TRUE(fs::exists(build / "iocell-mirror.so"));

  const fs::path mirrors = tmp.path() / "mirrors";
  make_test_release(mirrors / "site/14.3-RELEASE");
  const std::map<std::string, std::string> env{{"IOCELL_PLUGIN_PATH", build.string()},
                                               {"IOCELL_MIRROR_ROOT", mirrors.string()}};
  r = run_program(iocell.string(), {"plugins", "--json"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  bool listed = false;
  for (const auto& p : j["plugins"]) {
    if (p["name"] != "mirror-fetcher") continue;
    listed = true;
    EXPECT_EQ(p["path"], (build / "iocell-mirror.so").string());
    EXPECT_EQ(p["provides"], nlohmann::json::array({{{"kind", "fetcher"}, {"name", "mirror"}}}));
  }
  EXPECT_TRUE(listed) << r.out;
  EXPECT_TRUE(j["skipped"].empty()) << r.out;

  const fs::path root = tmp.path() / "root";
  r = run_program(iocell.string(), {"--root", root.string(), "fetch", "release=14.3-RELEASE", "ftphost=mirror://site",
                                    "ftpdir=/14.3-RELEASE/", "ftpfiles=base.txz"},
                  env);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(fs::is_regular_file(root / "releases/14.3-RELEASE/root/bin/busybox"));
  EXPECT_NE(r.out.find("mirror://site/14.3-RELEASE/"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace iocell::testing
