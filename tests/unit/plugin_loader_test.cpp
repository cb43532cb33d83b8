#include <sstream>

#include <gtest/gtest.h>

#include <fstream>

#include <iocell/core/errors.hpp>
#include <iocell/core/plugin_manager.hpp>

using namespace iocell;

namespace {
const std::filesystem::path kDir = IOCELL_TEST_PLUGIN_DIR;

struct Collect : sdk::FetchSink {
  std::string bytes;
  void start(std::uint64_t, std::optional<std::uint64_t>) override {}
  void data(const char* b, std::size_t n) override { bytes.append(b, n); }
};
// The index is trusted while the directory is unchanged: a plugin added is
// seen at once (the directory changed); one replaced in place (the
// directory did not) is caught when it is loaded, and the index dropped.
TEST(PluginLoader, IndexNoticesAddedAndReplacedPlugins) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("iocell-plugdir-" + std::to_string(::getpid()));
  const fs::path index = dir / "index.json";
  fs::remove_all(dir);
  fs::create_directories(dir / "p");
  fs::copy_file(kDir / "iocell-test-good.so", dir / "p" / "iocell-test-good.so");
  {
    core::PluginManager pm;
    pm.discover({dir / "p"}, index);
    EXPECT_EQ(pm.plugins().size(), 1u);
  }
  fs::copy_file(kDir / "iocell-test-not_plugin.so", dir / "p" / "iocell-test-not_plugin.so");
  {
    core::PluginManager pm;
    pm.discover({dir / "p"}, index);
    ASSERT_EQ(pm.warnings().size(), 1u) << "the new file was looked at";
    EXPECT_TRUE(pm.plugins().empty()) << "the known one stays deferred";
  }
  {
    // Rewritten in place: same directory entry, another size and time.
    std::ofstream(dir / "p" / "iocell-test-good.so", std::ios::app) << "trailing bytes";
    core::PluginManager pm;
    pm.discover({dir / "p"}, index);
    EXPECT_TRUE(pm.plugins().empty());
    sdk::HostContext host;
    auto f = pm.make<sdk::Fetcher>(core::ComponentKind::Fetcher, "test", host);
    EXPECT_EQ(f->name(), "test");
    EXPECT_FALSE(fs::exists(index)) << "a stale index is dropped";
  }
  fs::remove_all(dir);
}

}  // namespace

TEST(PluginLoader, LoadsAGoodPluginAndUsesIt) {
  core::PluginManager pm;
  ASSERT_TRUE(pm.load_file(kDir / "iocell-test-good.so")) << (pm.warnings().empty() ? "" : pm.warnings()[0].reason);
  ASSERT_EQ(pm.plugins().size(), 1u);
  EXPECT_EQ(pm.plugins()[0].name, "test-good");
  EXPECT_EQ(pm.plugins()[0].version, "1.2.3");
  ASSERT_EQ(pm.plugins()[0].provides.size(), 1u);
  EXPECT_EQ(pm.plugins()[0].provides[0].first, "fetcher");
  sdk::HostContext host;
  auto f = pm.make<sdk::Fetcher>(core::ComponentKind::Fetcher, "test", host);
  Collect sink;
  f->fetch("test://x", 0, sink);
  EXPECT_EQ(sink.bytes, "payload of test://x");
}

TEST(PluginLoader, RefusesAnotherAbiWithAWarningNamingTheFile) {
  core::PluginManager pm;
  EXPECT_FALSE(pm.load_file(kDir / "iocell-test-wrong_abi.so"));
  ASSERT_EQ(pm.warnings().size(), 1u);
  EXPECT_EQ(pm.warnings()[0].path, kDir / "iocell-test-wrong_abi.so");
  EXPECT_NE(pm.warnings()[0].reason.find("ABI " + std::to_string(IOCELL_PLUGIN_ABI_VERSION + 41)), std::string::npos) << pm.warnings()[0].reason;
  EXPECT_TRUE(pm.plugins().empty());
}

TEST(PluginLoader, SkipsALibraryThatIsNoPlugin) {
  core::PluginManager pm;
  EXPECT_FALSE(pm.load_file(kDir / "iocell-test-not_plugin.so"));
  ASSERT_EQ(pm.warnings().size(), 1u);
  EXPECT_NE(pm.warnings()[0].reason.find("not an iocell plugin"), std::string::npos);
}

TEST(PluginLoader, SkipsAFileThatIsNoLibrary) {
  core::PluginManager pm;
  EXPECT_FALSE(pm.load_file(std::filesystem::path(IOCELL_SOURCE_DIR) / "CMakeLists.txt"));
  ASSERT_EQ(pm.warnings().size(), 1u);
  EXPECT_NE(pm.warnings()[0].reason.find("cannot load"), std::string::npos);
}

TEST(PluginLoader, DirectoryScanLoadsEachNameOnce) {
  core::PluginManager pm;
  pm.load_all({kDir, kDir});
  EXPECT_EQ(pm.plugins().size(), 1u);  // the good one; the same file seen twice is refused the second time
  EXPECT_EQ(pm.warnings().size(), 5u);  // wrong ABI and not-a-plugin twice each, the duplicate once
}

TEST(PluginLoader, UnknownComponentSaysWhatIsAvailable) {
  core::PluginManager pm;
  pm.load_file(kDir / "iocell-test-good.so");
  sdk::HostContext host;
  try {
    pm.make<sdk::Fetcher>(core::ComponentKind::Fetcher, "gopher", host);
    FAIL();
  } catch (const core::NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("available: test"), std::string::npos) << e.what();
  }
}

TEST(PluginLoader, SearchPathHonoursTheEnvironmentFirst) {
  ::setenv("IOCELL_PLUGIN_PATH", "/a:/b", 1);
  auto dirs = core::PluginManager::search_path();
  ::unsetenv("IOCELL_PLUGIN_PATH");
  ASSERT_GE(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], "/a");
  EXPECT_EQ(dirs[1], "/b");
}

TEST(PluginLoader, IndexDefersLoadingUntilAComponentIsAskedFor) {
  const auto index = std::filesystem::temp_directory_path() / ("iocell-index-" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(index);
  {
    core::PluginManager first;
    first.discover({kDir}, index);
    EXPECT_EQ(first.plugins().size(), 1u);  // nothing known yet: loaded to learn what it provides
    EXPECT_EQ(first.warnings().size(), 2u);
  }
  ASSERT_TRUE(std::filesystem::exists(index));
  core::PluginManager second;
  second.discover({kDir}, index);
  EXPECT_TRUE(second.plugins().empty()) << "known from the index: not loaded";
  EXPECT_EQ(second.warnings().size(), 2u) << "skipped files are still reported";
  EXPECT_TRUE(second.has(core::ComponentKind::Fetcher, "test", sdk::HostOs::Linux));
  sdk::HostContext host;
  auto f = second.make<sdk::Fetcher>(core::ComponentKind::Fetcher, "test", host);
  EXPECT_EQ(second.plugins().size(), 1u) << "loaded on first use";
  EXPECT_EQ(f->name(), "test");
  // An index written by another binary: its plugins are loaded (and bound)
  // again by this one before anything is deferred.
  std::string text;
  {
    std::ifstream in(index);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  const size_t exe_line = text.find("\nexe ");
  ASSERT_NE(exe_line, std::string::npos) << text;
  text.insert(exe_line + 5, "9");
  std::ofstream(index, std::ios::trunc) << text;
  core::PluginManager third;
  third.discover({kDir}, index);
  EXPECT_EQ(third.plugins().size(), 1u) << "an index of another binary is not trusted";
  std::filesystem::remove(index);
}

// A skipped file is told apart from a second plugin of a name by its kind,
// not by the wording of the message.
TEST(PluginLoader, WarningsSayWhetherAFileIsUnusableOrADuplicate) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("iocell-plugkind-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  fs::copy_file(kDir / "iocell-test-good.so", dir / "a" / "iocell-test-good.so");
  fs::copy_file(kDir / "iocell-test-good.so", dir / "b" / "iocell-test-good.so");
  fs::copy_file(kDir / "iocell-test-not_plugin.so", dir / "b" / "iocell-test-not_plugin.so");
  core::PluginManager pm;
  pm.load_all({dir / "a", dir / "b"});
  ASSERT_EQ(pm.warnings().size(), 2u);
  for (const auto& w : pm.warnings()) {
    const bool duplicate = w.path.filename() == "iocell-test-good.so";
    EXPECT_EQ(w.kind, duplicate ? core::PluginWarning::Kind::Duplicate : core::PluginWarning::Kind::Unusable)
        << w.path << ": " << w.reason;
  }
  fs::remove_all(dir);
}
