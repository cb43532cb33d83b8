// iocell(8): docs/iocell.8 is what `iocell __manpage` prints, mandoc -Tlint
// finds nothing in it, and it covers every command and property.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include <iocell/core/properties.hpp>

#include "e2e/docs_support.hpp"
#include "support/temp_dir.hpp"

using namespace iocell::test::docs;

namespace {

const char* kRegenerate =
    "docs/iocell.8 is out of date: regenerate it with the built binary,\n"
    "  BUILD/bin/iocell __manpage > docs/iocell.8\n"
    "and commit it (it is generated from the command and property tables).";

class DocsManpage : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = iocell_at(dir.path() / "root", {"__manpage"});
    ASSERT_EQ(r.code, 0) << r.err;
    page = r.out;
    std::ofstream(file) << page;
  }
  // The page as text, one synopsis per line (wide enough never to wrap).
  std::string rendered() {
    auto r = run({"mandoc", "-Tascii", "-Owidth=400", file.string()});
    std::string out;
    for (size_t i = 0; i < r.out.size(); ++i) {
      if (i + 1 < r.out.size() && r.out[i + 1] == '\b') {
        ++i;  // overstrike: keep the character after the backspace
        continue;
      }
      out += r.out[i];
    }
    return out;
  }

  iocell::test::TempDir dir{"iocell-man"};
  std::filesystem::path file = dir.path() / "iocell.8";
  std::string page;
};

TEST_F(DocsManpage, CommittedPageIsUpToDate) {
  EXPECT_TRUE(source_file("docs/iocell.8") == page) << kRegenerate;
}

TEST_F(DocsManpage, MandocLintIsClean) {
  ASSERT_TRUE(has_program("mandoc")) << "mandoc is needed (apt-get install mandoc; tests/host-setup.sh installs it)";
  auto r = run({"mandoc", "-Tlint", file.string()});
  std::string problems;
  for (const auto& l : lines(r.out + r.err)) {
    // Whether jail(8), zfs(8) and the like are installed depends on the
    // host (not on Linux); and so does the state of its mandoc.db.
    if (l.find("referenced manual not found") != std::string::npos || l.find("mandoc.db") != std::string::npos) continue;
    problems += l + "\n";
  }
  EXPECT_EQ(problems, "");
}

TEST_F(DocsManpage, SynopsisIsTheOneHelpPrints) {
  ASSERT_TRUE(has_program("mandoc"));
  // Whitespace runs become one space, as in the help text.
  const std::string text = std::regex_replace(rendered(), std::regex("[ \t\n]+"), " ");
  const auto commands = help_commands(dir.path() / "root");
  ASSERT_GT(commands.size(), 20u);
  for (const auto& name : commands) {
    auto h = iocell_at(dir.path() / "root", {"help", name});
    ASSERT_EQ(h.code, 0) << name;
    ASSERT_EQ(h.out.rfind("usage: iocell ", 0), 0u) << h.out;
    const std::string synopsis = h.out.substr(14, h.out.find('\n') - 14);
    // One synopsis line per form ("get P T | get -r P").
    size_t start = 0;
    while (true) {
      size_t bar = synopsis.find(" | " + name + " ", start);
      const std::string form = synopsis.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      EXPECT_NE(text.find("iocell " + form + " "), std::string::npos) << "iocell(8) lacks the synopsis of " << name << ": " << form;
      if (bar == std::string::npos) break;
      start = bar + 3;
    }
    EXPECT_NE(page.find(".It Xo\n.Nm\n.Cm " + name + "\n"), std::string::npos) << name << " is not in COMMANDS";
  }
  EXPECT_EQ(page.find(".Cm __"), std::string::npos) << "hidden commands are not documented";
}

TEST_F(DocsManpage, EveryPropertyWithDefaultValuesAndLiveChange) {
  for (const auto& d : iocell::core::property_table()) {
    const size_t at = page.find(".It Cm " + std::string(d.name) + "\n");
    ASSERT_NE(at, std::string::npos) << d.name;
    const std::string entry = page.substr(at, page.find(".It", at + 3) - at);
    if (d.type == iocell::core::PropType::ReadOnly) {
      EXPECT_NE(entry.find("Read-only."), std::string::npos) << entry;
      continue;
    }
    EXPECT_NE(entry.find("Values:"), std::string::npos) << entry;
    EXPECT_NE(entry.find("Default:"), std::string::npos) << entry;
    if (!d.default_value.empty() && d.default_value.find(' ') == std::string::npos)
      EXPECT_NE(entry.find(".Ql " + std::string(d.default_value) + " ."), std::string::npos) << entry;
    EXPECT_TRUE(entry.find("running jail") != std::string::npos || entry.find("while the jail runs") != std::string::npos) << entry;
  }
}

TEST_F(DocsManpage, HasTheSectionsAUserLooksFor) {
  for (const char* s : {".Sh SYNOPSIS", ".Sh DESCRIPTION", ".Sh COMMANDS", ".Sh JAIL TYPES", ".Sh TARGETS", ".Sh PROPERTIES",
                        ".Sh MIGRATING FROM IOCELL 2 AND IOCAGE 1", ".Sh ENVIRONMENT", ".Sh FILES", ".Sh EXIT STATUS",
                        ".Sh EXAMPLES", ".Sh SEE ALSO", "Ev IOCELL_ROOT\n", "Ev IOCELL_PLUGIN_PATH\n", ".Xr jail 8", ".Xr jexec 8",
                        ".Xr jls 8", ".Xr zfs 8", ".Xr rctl 8", ".Xr cpuset 1", ".Xr freebsd-update 8", ".Xr pkg 8"})
    EXPECT_NE(page.find(s), std::string::npos) << s;
  for (int code = 0; code <= 4; ++code) EXPECT_NE(page.find(".It " + std::to_string(code) + "\n"), std::string::npos) << code;
}

}  // namespace
