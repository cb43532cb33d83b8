#include <gtest/gtest.h>

#include <sstream>

#include <iocell/core/runners.hpp>
#include <iocell/sdk/testing/scripted_runner.hpp>

using namespace iocell;

TEST(PosixRunner, CapturesOutputStatusAndStdin) {
  core::PosixRunner r;
  sdk::Command cmd({"sh", "-c", "cat; echo err >&2; exit 3"});
  cmd.stdin_data = "hello";
  auto res = r.run(cmd);
  EXPECT_EQ(res.exit_code, 3);
  EXPECT_EQ(res.out, "hello");
  EXPECT_EQ(res.err, "err\n");
}

TEST(PosixRunner, ArgvIsNeverAShellString) {
  core::PosixRunner r;
  auto res = r.run({"echo", "a; rm -rf /", "$(x)"});
  EXPECT_EQ(res.out, "a; rm -rf / $(x)\n");
}

TEST(PosixRunner, EnvironmentAndTimeout) {
  core::PosixRunner r;
  sdk::Command cmd({"sh", "-c", "echo $IOCELL_X"});
  cmd.env["IOCELL_X"] = "42";
  EXPECT_EQ(r.run(cmd).out, "42\n");
  sdk::Command slow({"sleep", "5"});
  slow.timeout = std::chrono::milliseconds(200);
  auto t0 = std::chrono::steady_clock::now();
  auto res = r.run(slow);
  EXPECT_TRUE(res.timed_out);
  EXPECT_FALSE(res.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(PosixRunner, MissingProgramIs127AndCheckThrowsWithArgv) {
  core::PosixRunner r;
  EXPECT_EQ(r.run({"/nonexistent/prog"}).exit_code, 127);
  try {
    r.check({"sh", "-c", "echo boom >&2; exit 1"});
    FAIL();
  } catch (const sdk::CommandFailed& e) {
    EXPECT_NE(std::string(e.what()).find("sh -c 'echo boom >&2; exit 1'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("boom"), std::string::npos);
  }
}

TEST(RecordingRunner, PrintsAndChangesNothing) {
  std::ostringstream out;
  sdk::testing::ScriptedRunner reads;
  core::RecordingRunner r(out, reads);
  auto res = r.run({"zfs", "destroy", "-r", "tank/iocell/jails/x"});
  EXPECT_TRUE(res.ok());
  EXPECT_EQ(out.str(), "would run: zfs destroy -r tank/iocell/jails/x\n");
  EXPECT_TRUE(reads.done());
}

TEST(RecordingRunner, RunsWhatOnlyReads) {
  std::ostringstream out;
  sdk::testing::ScriptedRunner reads;
  reads.expect({"zfs", "get", "-H", "all", "tank/iocage"}, "tank/iocage\tlocal\tmountpoint\t/iocage\n");
  core::RecordingRunner r(out, reads);
  sdk::Command get({"zfs", "get", "-H", "all", "tank/iocage"});
  get.read_only = true;
  EXPECT_EQ(r.run(get).out, "tank/iocage\tlocal\tmountpoint\t/iocage\n");
  EXPECT_EQ(out.str(), "") << "a read is no action to report";
  EXPECT_TRUE(r.recorded().empty());
  EXPECT_TRUE(reads.done());
}

TEST(ScriptedRunner, MatchesArgvInOrderAndFailsOnAnythingElse) {
  std::istringstream t(
      "# a comment\n"
      "$ zfs list -H -o name ${POOL}/iocell\n"
      "> tank/iocell\n"
      "$ jexec ioc-x 'echo hi there'\n"
      "! oops\n"
      "? 2\n");
  sdk::testing::ScriptedRunner r(sdk::testing::parse_transcript(t, {{"POOL", "tank"}}));
  auto a = r.run({"zfs", "list", "-H", "-o", "name", "tank/iocell"});
  EXPECT_EQ(a.out, "tank/iocell\n");
  EXPECT_FALSE(r.done());
  try {
    r.run({"jexec", "ioc-y", "echo hi there"});
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("got:      jexec ioc-y 'echo hi there'"), std::string::npos) << e.what();
  }
  sdk::testing::ScriptedRunner r2(sdk::testing::parse_transcript(t));
}

TEST(ScriptedRunner, QuotesRoundTripThroughFormatArgv) {
  std::vector<std::string> argv = {"jail", "-c", "exec.prestart=/usr/bin/true x", "it's", "plain"};
  auto words = sdk::testing::split_words(sdk::format_argv(argv));
  EXPECT_EQ(words, argv);
}
