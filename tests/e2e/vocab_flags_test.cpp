// Each command's flags are defined once (CommandSpec::flags): the parser
// accepts every flag the synopsis shows, and the help, the man page and
// each completion script name the same flags.
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "e2e/docs_support.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test::docs {
namespace {

// "-f", "--zfs", and the word after a flag that takes one ("-s COLUMN").
struct ShownFlag {
  std::string word;
  std::string value;
};

std::vector<ShownFlag> synopsis_flags(const std::string& usage) {
  std::vector<ShownFlag> out;
  const std::regex group(R"(\[(-[^\]]*)\])");
  for (std::sregex_iterator it(usage.begin(), usage.end(), group), end; it != end; ++it) {
    std::string alternatives = (*it)[1].str();
    // -u USER|-U USER, -t|-r, --from iocell|iocage
    std::vector<std::string> parts;
    for (size_t b = 0;;) {
      size_t e = alternatives.find('|', b);
      parts.push_back(alternatives.substr(b, e == std::string::npos ? e : e - b));
      if (e == std::string::npos) break;
      b = e + 1;
    }
    for (const auto& p : parts) {
      if (p.empty() || p[0] != '-') continue;  // a further choice of --from's value
      const size_t sp = p.find(' ');
      out.push_back({p.substr(0, sp), sp == std::string::npos ? "" : p.substr(sp + 1)});
    }
  }
  return out;
}

class VocabFlags : public ::testing::Test {
 protected:
  TempDir dir{"iocell-flags"};
  std::filesystem::path root = dir.path() / "root";
};

TEST_F(VocabFlags, RestartShowsItsSoftFlag) {
  auto h = iocell_at(root, {"help", "restart"});
  EXPECT_NE(h.out.find("[-s]"), std::string::npos) << h.out;
}

TEST_F(VocabFlags, TheParserTakesEveryFlagTheSynopsisShows) {
  const auto commands = help_commands(root);
  ASSERT_GT(commands.size(), 20u);
  int checked = 0;
  for (const auto& name : commands) {
    const std::string usage = iocell_at(root, {"help", name}).out;
    for (const auto& f : synopsis_flags(usage)) {
      // A flag the parser knows lets it reach the unknown one after it; an
      // unknown flag is named itself. Nothing runs: parsing fails first.
      std::vector<std::string> args{name, f.word};
      if (!f.value.empty()) args.push_back("x");
      args.push_back("--no-such-flag");
      auto r = iocell_at(root, args);
      EXPECT_EQ(r.code, 2) << name << " " << f.word << ": " << r.err;
      EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << name << " " << f.word << ": " << r.err;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

TEST_F(VocabFlags, ManPageAndCompletionsNameEveryFlag) {
  const std::string page = source_file("docs/iocell.8");
  const std::string bash = source_file("docs/completion/iocell.bash");
  const std::string zsh = source_file("docs/completion/_iocell");
  const std::string fish = source_file("docs/completion/iocell.fish");
  for (const auto& name : help_commands(root)) {
    const std::string usage = iocell_at(root, {"help", name}).out;
    for (const auto& f : synopsis_flags(usage)) {
      // mdoc writes -f as "Fl f" and --zfs as "Fl -zfs".
      EXPECT_TRUE(std::regex_search(page, std::regex("Fl " + f.word.substr(1) + "( |\n)"))) << name << " " << f.word;
      // The completion arm of the command lists it among its flags.
      const std::regex bash_arm("(^|\\|| )" + name + "(\\|[a-z]+)*\\) flags=\"([^\"]* )?" + f.word + "[\" ]");
      EXPECT_TRUE(std::regex_search(bash, bash_arm)) << name << " " << f.word << " in bash";
      const std::regex zsh_arm("(\\(|\\|)" + name + "(\\|[a-z]+)*\\) flags=\\(([^)]* )?" + f.word + "[) ]");
      EXPECT_TRUE(std::regex_search(zsh, zsh_arm)) << name << " " << f.word << " in zsh";
      const std::string fish_flag = f.word.rfind("--", 0) == 0 ? "-l " + f.word.substr(2) : "-s " + f.word.substr(1);
      const std::regex fish_line("__iocell_using ([a-z]+ )*" + name + "( [a-z]+)*' " + fish_flag + "( |\n)");
      EXPECT_TRUE(std::regex_search(fish, fish_line)) << name << " " << f.word << " in fish";
    }
  }
}

}  // namespace
}  // namespace iocell::test::docs
