// The runner facilities the zfs storage needs for its streams: a child's
// stdin or stdout on a caller's descriptor, and pipelines (zfs send | zfs
// receive) that never pass through memory or a shell.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <iocell/core/runners.hpp>
#include <iocell/sdk/testing/scripted_runner.hpp>

using namespace iocell;

namespace {

struct TempFile {
  std::filesystem::path path;
  int fd = -1;
  TempFile() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "iocell-zfs-runner-XXXXXX").string();
    fd = ::mkstemp(tmpl.data());
    path = tmpl;
  }
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    std::filesystem::remove(path);
  }
  std::string content() const {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

}  // namespace

TEST(ZfsRunnerPipeline, StdoutGoesToTheCallersDescriptor) {
  core::PosixRunner r;
  TempFile f;
  sdk::Command cmd({"sh", "-c", "echo stream; echo note >&2"});
  cmd.stdout_fd = f.fd;
  auto res = r.run(cmd);
  EXPECT_EQ(res.exit_code, 0);
  EXPECT_EQ(res.out, "");
  EXPECT_EQ(res.err, "note\n");
  EXPECT_EQ(f.content(), "stream\n");
}

TEST(ZfsRunnerPipeline, StdinComesFromTheCallersDescriptorAtItsOffset) {
  core::PosixRunner r;
  TempFile f;
  ASSERT_EQ(::write(f.fd, "skip:payload", 12), 12);
  ASSERT_EQ(::lseek(f.fd, 5, SEEK_SET), 5);
  sdk::Command cmd({"cat"});
  cmd.stdin_fd = f.fd;
  auto res = r.run(cmd);
  EXPECT_EQ(res.exit_code, 0);
  EXPECT_EQ(res.out, "payload");
  // The child shared the offset: the caller sees the data consumed.
  EXPECT_EQ(::lseek(f.fd, 0, SEEK_CUR), 12);
}

TEST(ZfsRunnerPipeline, StagesRunTogetherAndEachReportsItsOwnStatus) {
  core::PosixRunner r;
  // 8 MiB through the pipe: more than any pipe buffer, so running the
  // stages one after another would block forever.
  sdk::Command sender({"sh", "-c", "head -c 8388608 /dev/zero; echo sent >&2"});
  sdk::Command receiver({"sh", "-c", "wc -c; echo got >&2; exit 3"});
  auto res = r.run_pipeline({sender, receiver});
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].exit_code, 0);
  EXPECT_EQ(res[0].err, "sent\n");
  EXPECT_EQ(res[0].out, "");
  EXPECT_EQ(res[1].exit_code, 3);
  EXPECT_EQ(res[1].err, "got\n");
  EXPECT_EQ(std::stoul(res[1].out), 8388608u);
}

TEST(ZfsRunnerPipeline, AReceiverThatDiesEndsTheSender) {
  core::PosixRunner r;
  sdk::Command sender({"sh", "-c", "exec cat /dev/zero"});
  sdk::Command receiver({"sh", "-c", "head -c 10 >/dev/null; exit 1"});
  sender.timeout = std::chrono::seconds(20);
  auto res = r.run_pipeline({sender, receiver});
  EXPECT_FALSE(res[0].timed_out);
  EXPECT_EQ(res[0].exit_code, 128 + SIGPIPE);
  EXPECT_EQ(res[1].exit_code, 1);
}

TEST(ZfsRunnerPipeline, AMissingProgramIs127AndTheOtherStageStillEnds) {
  core::PosixRunner r;
  auto res = r.run_pipeline({sdk::Command({"/nonexistent/zfs", "send"}), sdk::Command({"wc", "-c"})});
  EXPECT_EQ(res[0].exit_code, 127);
  EXPECT_NE(res[0].err.find("/nonexistent/zfs"), std::string::npos);
  EXPECT_EQ(res[1].exit_code, 0);
  EXPECT_EQ(std::stoul(res[1].out), 0u);
}

TEST(ZfsRunnerPipeline, TimeoutStopsEveryStage) {
  core::PosixRunner r;
  sdk::Command a({"sleep", "30"});
  sdk::Command b({"sleep", "30"});
  b.timeout = std::chrono::milliseconds(200);
  auto t0 = std::chrono::steady_clock::now();
  auto res = r.run_pipeline({a, b});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(res[0].timed_out);
  EXPECT_TRUE(res[1].timed_out);
  EXPECT_FALSE(res[1].ok());
}

TEST(ZfsRunnerPipeline, FirstStageReadsStdinData) {
  core::PosixRunner r;
  sdk::Command a({"cat"});
  a.stdin_data = "abc";
  auto res = r.run_pipeline({a, sdk::Command({"tr", "a-z", "A-Z"})});
  EXPECT_EQ(res[1].out, "ABC");
}

TEST(ZfsRunnerPipeline, RecordingRunnerPrintsOneLineAndRunsNothing) {
  std::ostringstream out;
  sdk::testing::ScriptedRunner reads;
  core::RecordingRunner r(out, reads);
  auto res = r.run_pipeline({sdk::Command({"zfs", "send", "tank/a@s"}), sdk::Command({"zfs", "receive", "tank/b"})});
  ASSERT_EQ(res.size(), 2u);
  EXPECT_TRUE(res[0].ok() && res[1].ok());
  EXPECT_EQ(out.str(), "would run: zfs send tank/a@s | zfs receive tank/b\n");
  EXPECT_EQ(r.recorded().size(), 2u);
}

TEST(ZfsRunnerPipeline, ScriptedRunnerMatchesEachStageInOrder) {
  sdk::testing::ScriptedRunner r;
  r.expect({"zfs", "send", "tank/a@s"});
  r.expect({"zfs", "receive", "tank/b"}, "", 1, "cannot receive\n");
  auto res = r.run_pipeline({sdk::Command({"zfs", "send", "tank/a@s"}), sdk::Command({"zfs", "receive", "tank/b"})});
  EXPECT_TRUE(r.done());
  EXPECT_EQ(res[1].exit_code, 1);
  EXPECT_THROW(r.run_pipeline({sdk::Command({"zfs", "send", "x"})}), std::runtime_error);
}
