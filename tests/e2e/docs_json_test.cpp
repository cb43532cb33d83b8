// docs/json.md and docs/exit-codes.md against the real binary: every
// listing's --json parses and has the documented top-level key, -H prints
// the same rows without a header, every command offering --json is
// documented, and the exit codes are the documented ones.
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "../../cli/exit_codes.hpp"
#include "e2e/docs_support.hpp"
#include "support/temp_dir.hpp"

using namespace iocell::test::docs;

namespace {

struct Row {
  std::string invocation;  ///< "iocell get --json PROPERTY TARGET"
  std::string key;
  std::string holds;       ///< array, object or value
  std::string needs;       ///< "-" or what the run needs
};

// The index table of docs/json.md.
std::vector<Row> documented() {
  std::vector<Row> rows;
  static const std::regex re("^\\| `(iocell [^`]+)` \\| `([a-z_]+)` \\| ([a-z]+) \\| ([^|]+?) \\|$");
  for (const auto& l : lines(source_file("docs/json.md"))) {
    std::smatch m;
    if (std::regex_match(l, m, re)) rows.push_back({m[1], m[2], m[3], m[4]});
  }
  return rows;
}

std::vector<std::string> words_of(const std::string& invocation, const std::string& json_flag) {
  std::vector<std::string> out;
  std::istringstream in(invocation);
  for (std::string w; in >> w;) {
    if (w == "iocell") continue;
    if (w == "--json") {
      if (json_flag.empty()) continue;
      w = json_flag;
    }
    if (w == "PROPERTY") w = "priority";
    if (w == "TARGET") w = "ja";
    out.push_back(w);
  }
  return out;
}

class DocsJson : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "iocell create needs root";
    for (const char* tag : {"tag=ja", "tag=jb"}) {
      auto r = iocell({"create", "-e", tag});
      ASSERT_EQ(r.code, 0) << r.err;
    }
    auto s = iocell({"snapshot", "ja@first"});
    ASSERT_EQ(s.code, 0) << s.err;
  }
  Output iocell(std::vector<std::string> args) { return iocell_at(root, std::move(args), {{"IOCELL_STORAGE", "dir"}}); }

  iocell::test::TempDir dir{"iocell-json"};
  std::filesystem::path root = dir.path() / "root";
};

TEST_F(DocsJson, EveryListingParsesWithTheDocumentedKey) {
  const auto rows = documented();
  ASSERT_GE(rows.size(), 12u) << "the index table of docs/json.md was not found";
  for (const auto& row : rows) {
    if (row.needs != "-") continue;
    auto r = iocell(words_of(row.invocation, "--json"));
    ASSERT_EQ(r.code, 0) << row.invocation << ": " << r.err;
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << row.invocation << " printed no JSON:\n" << r.out;
    ASSERT_TRUE(doc.is_object() && doc.contains(row.key)) << row.invocation << " lacks \"" << row.key << "\":\n" << r.out;
    if (row.holds == "array") EXPECT_TRUE(doc[row.key].is_array()) << row.invocation;
    if (row.holds == "object") EXPECT_TRUE(doc[row.key].is_object()) << row.invocation;
  }
  // Numbers are numbers, absent numbers null (docs/json.md, Conventions).
  auto list = nlohmann::json::parse(iocell({"list", "--json"}).out);
  ASSERT_EQ(list["jails"].size(), 2u);
  EXPECT_TRUE(list["jails"][0]["jid"].is_null());
  auto df = nlohmann::json::parse(iocell({"df", "--json"}).out);
  EXPECT_TRUE(df["df"][0]["used"].is_number_integer());
  EXPECT_TRUE(df["df"][0]["quota"].is_null());
  auto snaps = nlohmann::json::parse(iocell({"snaplist", "--json", "ja"}).out);
  ASSERT_EQ(snaps["snapshots"].size(), 1u);
  EXPECT_TRUE(snaps["snapshots"][0]["created"].is_number_integer());
  EXPECT_TRUE(nlohmann::json::parse(iocell({"get", "--json", "priority", "ja"}).out)["value"].is_number_integer());
}

TEST_F(DocsJson, ScriptedOutputIsTheRowsWithoutHeader) {
  for (const auto& row : documented()) {
    if (row.needs != "-") continue;
    auto json = nlohmann::json::parse(iocell(words_of(row.invocation, "--json")).out);
    auto scripted = iocell(words_of(row.invocation, "-H"));
    ASSERT_EQ(scripted.code, 0) << row.invocation << " -H: " << scripted.err;
    const auto got = lines(scripted.out);
    const auto& v = json[row.key];
    if (row.holds == "array" || row.holds == "object") {
      EXPECT_EQ(got.size(), v.size()) << row.invocation << " -H:\n" << scripted.out;
    } else {
      EXPECT_EQ(got.size(), 1u) << scripted.out;
    }
    // Every row has the same number of tab-separated fields.
    for (const auto& l : got)
      EXPECT_EQ(std::count(l.begin(), l.end(), '\t'), std::count(got[0].begin(), got[0].end(), '\t')) << row.invocation << ": " << l;
    if (row.holds == "value" || got.empty()) continue;
    // The human table's header is not there.
    const auto human = lines(iocell(words_of(row.invocation, "")).out);
    ASSERT_FALSE(human.empty()) << row.invocation;
    EXPECT_EQ(std::find(got.begin(), got.end(), human[0]), got.end()) << row.invocation << " -H printed " << human[0];
  }
}

TEST_F(DocsJson, EveryCommandOfferingJsonIsDocumented) {
  const auto rows = documented();
  for (const auto& name : help_commands(root)) {
    auto h = iocell({"help", name});
    if (h.out.find("--json") == std::string::npos) continue;
    bool found = false;
    for (const auto& r : rows) found = found || r.invocation.rfind("iocell " + name + " ", 0) == 0;
    EXPECT_TRUE(found) << "iocell " << name << " takes --json but docs/json.md does not document it";
  }
}

TEST_F(DocsJson, ExitCodesAreTheDocumentedOnes) {
  namespace cli = iocell::cli;
  const std::map<int, std::string> header = {{cli::kExitSuccess, "kExitSuccess"}, {cli::kExitFailure, "kExitFailure"},
                                             {cli::kExitUsage, "kExitUsage"},     {cli::kExitNotFound, "kExitNotFound"},
                                             {cli::kExitPartial, "kExitPartial"}};
  std::map<int, std::string> doc;
  static const std::regex re("^\\| ([0-9]+) +\\| `(kExit[A-Za-z]+)` +\\|.*");
  for (const auto& l : lines(source_file("docs/exit-codes.md"))) {
    std::smatch m;
    if (std::regex_match(l, m, re)) doc[std::stoi(m[1])] = m[2];
  }
  EXPECT_EQ(doc, header);

  EXPECT_EQ(iocell({"get", "tag", "ja"}).code, cli::kExitSuccess);
  EXPECT_EQ(iocell({"set", "vnet=maybe", "ja"}).code, cli::kExitUsage);
  EXPECT_EQ(iocell({"frobnicate"}).code, cli::kExitUsage);
  EXPECT_EQ(iocell({"get", "tag", "nosuch"}).code, cli::kExitNotFound);
  EXPECT_EQ(iocell({"help", "nosuch"}).code, cli::kExitNotFound);
  EXPECT_EQ(iocell({"inuse", "ja"}).code, cli::kExitFailure);  // refused: not running
  // No terminal to log in on (stdin is a pipe here): said before anything else.
  auto console = iocell({"console", "-f", "ja"});
  EXPECT_EQ(console.code, cli::kExitUsage) << console.err;
  EXPECT_NE(console.err.find("console needs a terminal on standard input"), std::string::npos) << console.err;
  // One tag for two jails: the first gets it, the second is refused.
  auto partial = iocell({"set", "tag=jc", "ja", "jb"});
  EXPECT_EQ(partial.code, cli::kExitPartial) << partial.err;
  EXPECT_NE(partial.err.find("tag 'jc' is already used"), std::string::npos) << partial.err;
}

}  // namespace
