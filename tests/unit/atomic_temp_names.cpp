// Every temporary name comes from sdk/temp_names.hpp, which `clean` reads:
// a literal elsewhere would be a leftover nothing removes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <iocell/sdk/temp_names.hpp>

namespace {

namespace fs = std::filesystem;
namespace tn = iocell::sdk::temp_names;

TEST(AtomicTempNames, NoTemporaryNameIsSpelledOutsideTheirHeader) {
  const fs::path src = IOCELL_SOURCE_DIR;
  const fs::path home = src / "sdk/include/iocell/sdk/temp_names.hpp";
  // The quote makes them literals: ".iocell-sync-" or ".tmp-" in a string.
  // (A fixed ".<file>.tmp" a plugin reuses for its own state files is
  // overwritten by its next write, so it cannot pile up.)
  const std::vector<std::string> needles = {"\".iocell-", "\".new-", "/.new-", "\".staging-", "/.staging-", "\".tmp-"};
  std::vector<std::string> found;
  int files = 0;
  for (const char* dir : {"core", "cli", "plugins", "sdk"}) {
    for (const auto& e : fs::recursive_directory_iterator(src / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp") || e.path() == home) continue;
      ++files;
      std::ifstream in(e.path());
      int n = 0;
      for (std::string line; std::getline(in, line);) {
        ++n;
        if (line.find("//") != std::string::npos && line.find("//") < line.find('"')) continue;  // a comment
        for (const auto& needle : needles)
          if (line.find(needle) != std::string::npos) found.push_back(e.path().string() + ":" + std::to_string(n) + ": " + line);
      }
    }
  }
  EXPECT_GT(files, 50) << "the source tree was not found at " << src;
  std::string all;
  for (const auto& f : found) all += "\n  " + f;
  EXPECT_TRUE(found.empty()) << "temporary names spelled outside temp_names.hpp:" << all;
}

TEST(AtomicTempNames, NamesRoundTripAndAreRecognised) {
  const std::string n = tn::make(tn::kRollback, "root");
  EXPECT_EQ(tn::base_of(n, tn::kRollback), "root");
  EXPECT_EQ(tn::dataset_prefix(n), tn::kRollback);
  EXPECT_EQ(tn::base_of(n, tn::kCopy), "");
  EXPECT_EQ(tn::base_of(".iocell-rollback-x", tn::kRollback), "") << "no random suffix: not one of ours";
  EXPECT_EQ(tn::dataset_prefix("root"), "");
  EXPECT_TRUE(tn::is_file_tmp(tn::file_tmp("config.json"), "config.json"));
  EXPECT_FALSE(tn::is_file_tmp(".config.json", "config.json"));
  EXPECT_FALSE(tn::is_file_tmp(tn::file_tmp("rc.conf"), "config.json"));
}

}  // namespace
