// Shell completion: docs/completion/* are what `iocell completion SHELL`
// prints, each is valid for its shell, and the scripts complete commands,
// flags, property names and values, and jails through `iocell __complete`.
#include <gtest/gtest.h>

#include <filesystem>

#include <iocell/core/config_store.hpp>

#include "e2e/docs_support.hpp"
#include "support/temp_dir.hpp"

using namespace iocell::test::docs;
namespace fs = std::filesystem;

namespace {

const std::string kA = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const std::string kB = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const std::string kEvil = "c0ffee00-1234-4abc-8def-0123456789ab";

const std::map<std::string, std::string> kFiles = {{"bash", "docs/completion/iocell.bash"},
                                                   {"zsh", "docs/completion/_iocell"},
                                                   {"fish", "docs/completion/iocell.fish"}};

class DocsCompletion : public ::testing::Test {
 protected:
  void SetUp() override {
    // Jails as the inventory reads them; __complete needs nothing else.
    for (const auto& [uuid, tag] : {std::pair{kA, std::string("a")}, {kB, "b"}}) {
      fs::create_directories(root / "jails" / uuid);
      iocell::core::write_config(root / "jails" / uuid / "config.json", {{"uuid", uuid}, {"tag", tag}, {"type", "emptyjail"}});
    }
    for (const auto& [shell, file] : kFiles) {
      auto r = iocell_at(root, {"completion", shell});
      ASSERT_EQ(r.code, 0) << r.err;
      scripts[shell] = dir.path() / (shell + ".sh");
      std::ofstream(scripts[shell]) << r.out;
      generated[shell] = r.out;
    }
  }
  std::map<std::string, std::string> env() const {
    return {{"PATH", fs::path(IOCELL_BINARY).parent_path().string() + ":/usr/bin:/bin"}, {"IOCELL_ROOT", root.string()}};
  }
  // What bash offers for LINE; WORDS as bash splits it (COMP_WORDBREAKS
  // makes '=' a word of its own).
  std::vector<std::string> bash(const std::string& line, std::vector<std::string> words) {
    std::string script = "source " + scripts["bash"].string() + "\nCOMP_LINE=\"$1\"; COMP_POINT=${#COMP_LINE}; shift\n" +
                         "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 ))\n_iocell\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    std::vector<std::string> argv = {"bash", "-c", script, "bash", line};
    argv.insert(argv.end(), words.begin(), words.end());
    auto r = run(argv, env(), dir.path().string());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    auto out = lines(r.out);
    out.erase(std::remove(out.begin(), out.end(), ""), out.end());
    return out;
  }

  iocell::test::TempDir dir{"iocell-completion"};
  fs::path root = dir.path() / "root";
  std::map<std::string, fs::path> scripts;
  std::map<std::string, std::string> generated;
};

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST_F(DocsCompletion, CommittedScriptsAreUpToDate) {
  for (const auto& [shell, file] : kFiles)
    EXPECT_TRUE(source_file(file) == generated[shell])
        << file << " is out of date: regenerate it with the built binary,\n  BUILD/bin/iocell completion " << shell << " > " << file
        << "\nand commit it (it is generated from the command and property tables).";
}

TEST_F(DocsCompletion, ScriptsAreValidForTheirShells) {
  auto b = run({"bash", "-n", scripts["bash"].string()});
  EXPECT_EQ(b.code, 0) << b.err;
  // zsh and fish are checked where they are installed (apt-get install zsh fish).
  if (has_program("zsh")) {
    auto z = run({"zsh", "-n", scripts["zsh"].string()});
    EXPECT_EQ(z.code, 0) << z.err;
  }
  if (has_program("fish")) {
    auto f = run({"fish", "--no-execute", scripts["fish"].string()});
    EXPECT_EQ(f.code, 0) << f.err;
  }
  if (!has_program("zsh") || !has_program("fish")) GTEST_SKIP() << "zsh or fish is not installed: only bash -n was checked";
}

TEST_F(DocsCompletion, BashCommandsFlagsPropertiesAndValues) {
  EXPECT_EQ(bash("iocell st", {"iocell", "st"}), (std::vector<std::string>{"start", "stop"}));
  EXPECT_EQ(bash("iocell create -", {"iocell", "create", "-"}), (std::vector<std::string>{"-c", "-b", "-e"}));
  EXPECT_EQ(bash("iocell migrate --from ", {"iocell", "migrate", "--from", ""}), (std::vector<std::string>{"iocell", "iocage"}));
  EXPECT_EQ(bash("iocell completion ", {"iocell", "completion", ""}), (std::vector<std::string>{"bash", "zsh", "fish"}));
  auto props = bash("iocell set vn", {"iocell", "set", "vn"});
  EXPECT_TRUE(contains(props, "vnet=")) << props.size();
  EXPECT_TRUE(contains(props, "vnet0_mac="));
  // '=' is a word break: bash replaces only what follows it.
  EXPECT_EQ(bash("iocell set vnet=", {"iocell", "set", "vnet", "="}), (std::vector<std::string>{"=on", "=off"}));
  EXPECT_EQ(bash("iocell set vnet=o", {"iocell", "set", "vnet", "=", "o"}), (std::vector<std::string>{"on", "off"}));
  EXPECT_EQ(bash("iocell set template=", {"iocell", "set", "template", "="}), (std::vector<std::string>{"=yes", "=no"}));
  EXPECT_EQ(bash("iocell set allow_mount=", {"iocell", "set", "allow_mount", "="}), (std::vector<std::string>{"=0", "=1"}));
  auto sysv = bash("iocell create sysvshm=", {"iocell", "create", "sysvshm", "="});
  EXPECT_EQ(sysv, (std::vector<std::string>{"=new", "=inherit", "=disable"}));
  auto get = bash("iocell get ", {"iocell", "get", ""});
  for (const char* w : {"all", "state", "priority", "origin", "a"}) EXPECT_TRUE(contains(get, w)) << w;
}

TEST_F(DocsCompletion, BashAsksIocellForJailsAndReleases) {
  auto jails = bash("iocell start ", {"iocell", "start", ""});
  EXPECT_EQ(jails, (std::vector<std::string>{"ALL", kB, kA, "a", "b"}));
  EXPECT_EQ(bash("iocell start 6f", {"iocell", "start", "6f"}), (std::vector<std::string>{kA}));
  // The --root of the command line is the one asked.
  fs::create_directories(dir.path() / "other" / "jails");
  EXPECT_EQ(bash("iocell --root " + (dir.path() / "other").string() + " start ",
                 {"iocell", "--root", (dir.path() / "other").string(), "start", ""}),
            (std::vector<std::string>{"ALL"}));
  fs::create_directories(root / "releases" / "14.3-RELEASE" / "root");
  fs::create_directories(root / "releases" / ".14.2-RELEASE.fetching" / "root");
  EXPECT_EQ(bash("iocell create release=", {"iocell", "create", "release", "="}), (std::vector<std::string>{"=14.3-RELEASE"}));
}

TEST_F(DocsCompletion, BashNeverEvaluatesWhatATagHolds) {
  // Tags are checked when set, but a config file can hold anything.
  fs::create_directories(root / "jails" / kEvil);
  iocell::core::write_config(root / "jails" / kEvil / "config.json", {{"uuid", kEvil}, {"tag", "x$(touch${IFS}pwned)`touch${IFS}pwned2`"}});
  auto r = bash("iocell start x", {"iocell", "start", "x"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "x\\$\\(touch\\$\\{IFS\\}pwned\\)\\`touch\\$\\{IFS\\}pwned2\\`");  // quoted for the command line
  EXPECT_FALSE(fs::exists(dir.path() / "pwned"));
  EXPECT_FALSE(fs::exists(dir.path() / "pwned2"));
}

TEST_F(DocsCompletion, FishCompletes) {
  if (!has_program("fish")) GTEST_SKIP() << "fish is not installed (apt-get install fish)";
  auto complete = [&](const std::string& line) {
    auto r = run({"fish", "-c", "source " + scripts["fish"].string() + "; complete -C '" + line + "'"}, env());
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<std::string> words;
    for (const auto& l : lines(r.out)) words.push_back(l.substr(0, l.find('\t')));
    return words;
  };
  EXPECT_TRUE(contains(complete("iocell st"), "start"));
  EXPECT_EQ(complete("iocell set vnet="), (std::vector<std::string>{"vnet=off", "vnet=on"}));
  EXPECT_TRUE(contains(complete("iocell set vn"), "vnet="));
  EXPECT_EQ(complete("iocell migrate --from "), (std::vector<std::string>{"iocage", "iocell"}));
  auto jails = complete("iocell stop ");
  for (const auto& j : {kA, kB, std::string("a"), std::string("b"), std::string("ALL")}) EXPECT_TRUE(contains(jails, j)) << j;
}

TEST_F(DocsCompletion, ZshHelpers) {
  if (!has_program("zsh")) GTEST_SKIP() << "zsh is not installed (apt-get install zsh)";
  // Without a terminal zsh cannot run its completion widgets; the helpers
  // that find the candidates run as plain functions.
  auto r = run({"zsh", "-c",
                "compdef() { :; }; source " + scripts["zsh"].string() +
                    "; _iocell_values vnet; print -l -- $reply; _iocell_values compression; print -- ${#reply}; _iocell_ask jails"},
               env());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"on", "off", "16", kB, kA, "a", "b"}));
}

TEST_F(DocsCompletion, CompleteReadsOnlyTheRoot) {
  const fs::path none = dir.path() / "no-root";
  auto r = iocell_at(none, {"__complete", "jails"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(none)) << "__complete created the root";
  EXPECT_EQ(iocell_at(root, {"__complete", "snapshots"}).code, 2);
  EXPECT_EQ(iocell_at(root, {"completion", "tcsh"}).code, 2);
  // Hidden commands are for the scripts, not for people.
  const std::string script = generated["bash"];
  const size_t start = script.find("_iocell_commands=");
  const std::string commands = script.substr(start, script.find('\n', start) - start);
  EXPECT_EQ(commands.find("__"), std::string::npos) << commands;
  EXPECT_NE(commands.find(" migrate "), std::string::npos) << commands;
}

}  // namespace
