// zfs storage: export and import streams, and what is refused before any
// command runs (transcripts in tests/transcripts/zfs/).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "support/zfs_transcript.hpp"

using iocell::test::zfs::expect_error;
using iocell::test::zfs::Transcript;
namespace sdk = iocell::sdk;

namespace {

const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
const std::string N = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";
const std::string M = "c7d2a9b1-4e6f-4f80-b1a3-5d9e8c7b6a54";

// A stream file: its content does not matter to the scripted runner, its
// descriptor and offset do.
struct StreamFile {
  std::string path;
  int fd = -1;
  StreamFile() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "iocell-zfs-stream-XXXXXX").string();
    fd = ::mkstemp(tmpl.data());
    path = tmpl;
    if (::write(fd, "header:stream-bytes", 19) != 19) ADD_FAILURE() << "cannot write " << path;
    ::lseek(fd, 7, SEEK_SET);  // the stream starts after a header the caller read
  }
  ~StreamFile() {
    ::close(fd);
    ::unlink(path.c_str());
  }
};

}  // namespace

TEST(ZfsStreams, SendToADescriptorAndReceiveOnlyWhatTheHeadersAnnounce) {
  Transcript t("send_receive");
  t.prepared();
  StreamFile out;
  t.storage->send("jails/" + U, "ioc-export-2025-03-01", out.fd);
  StreamFile in;
  t.storage->receive("jails/" + N, in.fd);
  const auto& seen = t.runner.seen();
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen[0].stdout_fd, out.fd);
  EXPECT_EQ(seen[1].stdin_fd, in.fd);  // zstream dump
  EXPECT_EQ(seen[2].stdin_fd, in.fd);  // zfs receive
  EXPECT_EQ(::lseek(in.fd, 0, SEEK_CUR), 7);  // rewound to where the stream starts
  t.finish();
}

TEST(ZfsStreams, NamesOutsideTheSentFilesystemAreRefused) {
  Transcript t("receive_refuses_names");
  t.prepared();
  StreamFile in;
  expect_error([&] { t.storage->receive("jails/" + N, in.fd); },
               {"refusing the stream for jails/" + N, "tank/iocell/jails/" + M + "/root@x (not below tank/iocell/jails/" + U + ")",
                "tank/iocell/jails/" + U + "/../../etc@x"});
  t.finish();
}

TEST(ZfsStreams, CloneOfASnapshotNotInTheStreamIsRefused) {
  Transcript t("receive_refuses_clone");
  t.prepared();
  StreamFile in;
  expect_error([&] { t.storage->receive("jails/" + N, in.fd); },
               {"tank/iocell/jails/" + N + "/root (a clone of a snapshot the stream does not carry)"});
  t.finish();
}

TEST(ZfsStreams, VolumeIsRefused) {
  Transcript t("receive_refuses_volume");
  t.prepared();
  StreamFile in;
  expect_error([&] { t.storage->receive("jails/" + N, in.fd); }, {"a volume", "type 3"});
  t.finish();
}

TEST(ZfsStreams, WhatArrivedIsCheckedAgainAndRemovedIfWrong) {
  Transcript t("receive_post_check");
  t.prepared();
  StreamFile in;
  expect_error([&] { t.storage->receive("jails/" + N, in.fd); },
               {"tank/iocell/jails/" + N + "/extra (not announced", "removed again"});
  t.finish();
}

TEST(ZfsStreams, AStreamThatCannotBeReadTwiceIsRefused) {
  Transcript t("refusals");
  t.prepared();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  expect_error([&] { t.storage->receive("jails/" + N, p[0]); }, {"needs the stream in a file"});
  ::close(p[0]);
  ::close(p[1]);
  t.finish();
}

TEST(ZfsRefusals, BadNamesAndValuesNeverReachAnArgv) {
  Transcript t("refusals");
  t.prepared();
  auto& s = *t.storage;
  sdk::DatasetOptions none;
  for (const std::string bad : {"", "-rf", "jails/../etc", "jails/x@snap", "jails/a b", "/tank/iocell", "jails//x", "jails/x/",
                                "jails/-x", "jails/.", "jails/x\n"}) {
    if (!bad.empty()) EXPECT_THROW(s.create(bad, none), std::invalid_argument) << bad;
    EXPECT_THROW(s.destroy(bad), std::invalid_argument) << bad;
    EXPECT_THROW(s.snapshot("jails/x", bad, false), std::invalid_argument) << bad;
  }
  EXPECT_THROW(s.mountpoint("../x"), std::invalid_argument);
  expect_error([&] { s.set_property("jails/x", "sharenfs", "on"); }, {"does not set property 'sharenfs'", "quota"});
  expect_error([&] { s.get_property("jails/x", "all"); }, {"does not report property 'all'", "compressratio"});
  expect_error([&] { s.set_property("jails/x", "quota", "lots"); }, {"invalid value 'lots'", "quota", "4G"});
  expect_error([&] { s.set_property("jails/x", "mountpoint", "relative/path"); }, {"mountpoint"});
  expect_error([&] { s.set_property("jails/x", "mountpoint", "/iocell/../etc"); }, {"mountpoint"});
  expect_error([&] { s.set_property("jails/x", "readonly", "yes"); }, {"on, off"});
  expect_error([&] { s.set_property("jails/x", "compression", "-o"); }, {"compression"});
  sdk::DatasetOptions conflicting;
  conflicting.readonly = true;
  conflicting.properties = {{"readonly", "off"}};
  EXPECT_THROW(s.create("jails/x", conflicting), std::invalid_argument);
  sdk::DatasetOptions unknown;
  unknown.properties = {{"exec", "off"}};
  expect_error([&] { s.clone("jails/x", "s", "jails/y", unknown); }, {"does not set property 'exec'"});
  EXPECT_THROW(s.activate("-f"), std::invalid_argument);
  EXPECT_THROW(s.activate("tank/iocell"), std::invalid_argument);
  EXPECT_THROW(s.send("jails/x", "s", -1), std::invalid_argument);
  EXPECT_TRUE(t.runner.seen().empty());
  t.finish();
}
