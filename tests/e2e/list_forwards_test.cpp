// `list` shows each jail's configured port forwards (the rdr property) in a
// column of its own and under "rdr" in --json, from the jail's record alone.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {
namespace {

class ListForwards : public ::testing::Test {
 protected:
  TempDir dir{"iocell-list-rdr"};
  std::filesystem::path root = dir.path() / "root";
  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args)); }
  CliResult ok(const std::vector<std::string>& args) { return expect_success(args, run(args)); }
};

TEST_F(ListForwards, TheColumnShowsTheForwardsOfEachJail) {
  const std::string rdr = "tcp(em0|203.0.113.5):80->80,udp(em0|::):53->53";
  ok({"create", "-e", "tag=www", "rdr=" + rdr});
  ok({"create", "-e", "tag=sql"});

  const std::string human = ok({"list", "-s", "tag"}).out;
  const std::string header = human.substr(0, human.find('\n'));
  EXPECT_NE(header.find("RDR"), std::string::npos) << human;
  EXPECT_NE(human.find(rdr), std::string::npos) << human;

  const std::string scripted = ok({"list", "-H", "-s", "rdr"}).out;
  const size_t www = scripted.find("\twww\t");
  const size_t sql = scripted.find("\tsql\t");
  ASSERT_NE(www, std::string::npos) << scripted;
  ASSERT_NE(sql, std::string::npos) << scripted;
  EXPECT_NE(scripted.find("\tnone\t" + rdr + "\n"), std::string::npos) << scripted;
  EXPECT_NE(scripted.find("\tsql\temptyjail\t-\tnone\t-\n"), std::string::npos) << scripted;

  const auto json = nlohmann::json::parse(ok({"list", "--json", "-s", "tag"}).out);
  ASSERT_EQ(json["jails"].size(), 2u) << json.dump();
  EXPECT_EQ(json["jails"][0]["tag"], "sql");
  EXPECT_EQ(json["jails"][0]["rdr"], "-");
  EXPECT_EQ(json["jails"][1]["rdr"], rdr);
}

}  // namespace
}  // namespace iocell::test
