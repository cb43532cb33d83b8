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

// The ```json examples of the docs/json.md section "## HEADING".
std::vector<nlohmann::json> examples(const std::string& heading) {
  std::vector<nlohmann::json> out;
  bool in_section = false, in_block = false;
  std::string block;
  for (const auto& l : lines(source_file("docs/json.md"))) {
    if (l.rfind("## ", 0) == 0) in_section = l == "## " + heading;
    if (!in_section) continue;
    if (l == "```json") {
      in_block = true;
      block.clear();
    } else if (l == "```" && in_block) {
      in_block = false;
      out.push_back(nlohmann::json::parse(block));
    } else if (in_block) {
      block += l + "\n";
    }
  }
  return out;
}

std::string kind(const nlohmann::json& v) { return v.is_number_integer() ? "integer" : v.type_name(); }

// Every key of the example is in the real object, with the same JSON type
// (a null stands for a number that is absent); `whole`: no other key either.
void expect_shape(const nlohmann::json& example, const nlohmann::json& real, const std::string& what, bool whole) {
  ASSERT_TRUE(example.is_object() && real.is_object()) << what;
  for (const auto& [k, v] : example.items()) {
    ASSERT_TRUE(real.contains(k)) << what << ": the documented key \"" << k << "\" is not in\n" << real.dump(2);
    if (!v.is_null() && !real[k].is_null()) EXPECT_EQ(kind(v), kind(real[k])) << what << ": key " << k << " is " << real[k];
  }
  if (!whole) return;
  for (const auto& [k, v] : real.items()) EXPECT_TRUE(example.contains(k)) << what << ": key \"" << k << "\" is not documented";
}

TEST_F(DocsJson, ExamplesHaveTheKeysAndTypesOfTheRealOutput) {
  std::filesystem::create_directories(root / "releases/14.3-RELEASE/root");
  // list -r is releases: its section shows no other example.
  EXPECT_TRUE(examples("iocell list -r").empty());
  for (const auto& args : std::vector<std::vector<std::string>>{{"list", "-r", "--json"}, {"releases", "--json"}}) {
    const std::string heading = "iocell releases";
    const auto docs = examples(heading);
    ASSERT_FALSE(docs.empty()) << heading;
    auto r = iocell(args);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto real = nlohmann::json::parse(r.out);
    ASSERT_EQ(real["releases"].size(), 1u) << r.out;
    expect_shape(docs[0]["releases"][0], real["releases"][0], args[0], true);
  }
  bool found = false;
  const auto all = nlohmann::json::parse(iocell({"get", "--json", "all", "ja"}).out);
  for (const auto& ex : examples("iocell get")) {
    if (!ex.contains("properties")) continue;
    found = true;
    expect_shape(ex["properties"], all["properties"], "get --json all", false);
  }
  EXPECT_TRUE(found) << "docs/json.md shows no get --json all";
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
