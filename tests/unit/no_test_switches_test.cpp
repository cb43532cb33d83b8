// The product holds no test switch: tests give the command line their
// runner, clock, UUIDs and host through core::Services (tests/scripted),
// and nothing in core/ or cli/ reads a variable that would swap them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

TEST(NoTestSwitches, CoreAndCliReadNone) {
  const char* kSwitches[] = {"IOCELL_TRANSCRIPT", "IOCELL_TEST_", "IOCELL_HOST_OS", "sdk/testing/", "ScriptedRunner",
                             "dynamic_cast<PosixRunner"};
  int files = 0;
  for (const char* dir : {"core", "cli"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(IOCELL_SOURCE_DIR) / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      ++files;
      std::ostringstream text;
      text << std::ifstream(e.path()).rdbuf();
      for (const char* s : kSwitches)
        EXPECT_EQ(text.str().find(s), std::string::npos) << e.path() << " names " << s;
    }
  }
  EXPECT_GT(files, 50);
}
