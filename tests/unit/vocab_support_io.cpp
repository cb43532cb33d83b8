// The shared POSIX helpers of sdk/include/iocell/support/io.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <iocell/support/io.hpp>

#include "support/temp_dir.hpp"

namespace iocell::support {
namespace {

TEST(VocabSupportIo, SlurpReadsAWholeFileLargerThanOneBuffer) {
  iocell::test::TempDir dir{"iocell-io"};
  const auto file = dir.path() / "f";
  const std::string text(100000, 'x');
  std::ofstream(file) << text << "end";
  auto got = slurp(file.c_str());
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, text + "end");
}

TEST(VocabSupportIo, SlurpOfAMissingFileSaysENOENT) {
  iocell::test::TempDir dir{"iocell-io"};
  errno = 0;
  EXPECT_FALSE(slurp((dir.path() / "missing").c_str()));
  EXPECT_EQ(errno, ENOENT);
  EXPECT_NE(std::string(sys_error("cannot read x").what()).find("No such file"), std::string::npos);
}

TEST(VocabSupportIo, WriteAllWritesEverythingThroughAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string text(10000, 'y');
  EXPECT_TRUE(write_all(fds[1], text));
  ::close(fds[1]);
  std::string got;
  EXPECT_TRUE(read_all(fds[0], got));
  ::close(fds[0]);
  EXPECT_EQ(got, text);
}

TEST(VocabSupportIo, WriteAllReportsAClosedReader) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);
  auto old = ::signal(SIGPIPE, SIG_IGN);
  errno = 0;
  EXPECT_FALSE(write_all(fds[1], "data"));
  EXPECT_EQ(errno, EPIPE);
  ::signal(SIGPIPE, old);
  ::close(fds[1]);
}

}  // namespace
}  // namespace iocell::support
