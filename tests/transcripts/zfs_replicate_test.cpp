// zfs storage: the per-dataset streams of iocell send and receive
// (transcripts in tests/transcripts/zfs/replicate_*.txt).
#include <fcntl.h>
#include <unistd.h>

#include "support/zfs_transcript.hpp"

using iocell::test::zfs::expect_error;
using iocell::test::zfs::Transcript;

namespace {

const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
const std::string M = "c7d2a9b1-4e6f-4f80-b1a3-5d9e8c7b6a54";
const std::string T = "1-e3f7a1b2c-c0-789c636064000310a500c4ec50360710e72765a5269740f80cd8e4d3d28a534b18e00024cf86249f1dc4";

struct NullFd {
  NullFd() : fd(::open("/dev/null", O_RDWR | O_CLOEXEC)) {}
  ~NullFd() { ::close(fd); }
  int fd;
};

}  // namespace

TEST(ZfsReplicate, WholeThenOnePackageOfEverySnapshotThenAResumeOfThisDatasetOnly) {
  Transcript t("replicate_send");
  t.prepared();
  NullFd out;
  EXPECT_TRUE(t.storage->delta_carries_intermediates());
  t.storage->send_delta("jails/" + U + "/root", "", "before-upgrade", out.fd);
  t.storage->send_delta("jails/" + U + "/root", "before-upgrade", "ioc-repl_2026-12-04_10:00:00", out.fd);
  t.storage->send_resumed("jails/" + U + "/root", T, out.fd);
  const auto& seen = t.runner.seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].stdout_fd, out.fd);
  EXPECT_EQ(seen[1].stdout_fd, out.fd);
  EXPECT_TRUE(seen[2].read_only) << "decoding the token changes nothing";
  EXPECT_EQ(seen[3].stdout_fd, out.fd);
  t.finish();
}

TEST(ZfsReplicate, ATokenNamingAnotherDatasetIsRefusedAndNothingSent) {
  Transcript t("replicate_token_refused");
  t.prepared();
  NullFd out;
  expect_error([&] { t.storage->send_resumed("jails/" + U + "/root", T, out.fd); },
               {"names tank/iocell/jails/" + M + "/data@secret", "not a snapshot of tank/iocell/jails/" + U + "/root"});
  t.finish();
}

TEST(ZfsReplicate, AMalformedTokenIsRefusedBeforeAnyCommand) {
  Transcript t("replicate_token_refused");
  t.prepared();
  NullFd out;
  expect_error([&] { t.storage->send_resumed("jails/" + U + "/root", "1-abc; rm -rf /", out.fd); },
               {"invalid resume token", "hexadecimal digits and dashes"});
  EXPECT_TRUE(t.runner.seen().empty());
}

TEST(ZfsReplicate, ReceivingSideStateWholeStreamCheckedAndMountedResumeAbandoned) {
  Transcript t("replicate_receive");
  t.prepared();
  NullFd in;
  const auto none = t.storage->prepare_receive("jails/.incoming-" + U);
  EXPECT_TRUE(none.snapshots.empty());
  EXPECT_TRUE(none.resume_token.empty());
  t.storage->receive_delta("jails/.incoming-" + U, in.fd);
  EXPECT_EQ(t.runner.seen()[1].stdin_fd, in.fd);
  const auto cut = t.storage->prepare_receive("jails/" + U + "/root");
  EXPECT_EQ(cut.resume_token, T);
  EXPECT_EQ(cut.snapshots, (std::vector<std::string>{"before-upgrade", "ioc-repl_2026-12-04_10:00:00"}));
  t.storage->abandon_resume("jails/" + U + "/root");
  t.finish();
}

TEST(ZfsReplicate, AWholeStreamThatArrivesAsACloneIsDestroyedAgain) {
  Transcript t("replicate_receive_clone");
  t.prepared();
  NullFd in;
  expect_error([&] { t.storage->receive_delta("jails/.incoming-" + U + "/data", in.fd); },
               {"a clone of tank/iocell/jails/" + M + "/data@secret", "removed again"});
  t.finish();
}
