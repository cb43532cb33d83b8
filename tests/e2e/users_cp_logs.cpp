// iocell cp between the host and a jail (both ways, never through a link the
// jail planted) and iocell logs (the console log, its tail, and -f).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;
namespace st = iocell::test::storage;

class CpLogsE2E : public DataE2E {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: jails start for real";
    DataE2E::SetUp();
    fetch();
  }
};

TEST_F(CpLogsE2E, CopiesFilesAndTreesBothWaysIntoAStoppedClone) {
  const std::string u = create({"-c", "tag=web"});
  const fs::path src = scratch.path() / "site";
  st::write(src / "index.html", "<h1>hi</h1>\n", 0640);
  st::write(src / "css/app.css", "body{}\n");
  fs::create_symlink("index.html", src / "default.html");
  st::write(scratch.path() / "httpd.conf", "listen 80\n", 0600);

  ok({"cp", src.string(), "web:/srv"});  // a new directory, named by the target
  ok({"cp", (scratch.path() / "httpd.conf").string(), "web:/etc/"});  // into an existing directory
  ok({"cp", (scratch.path() / "httpd.conf").string(), "web:/etc/httpd.conf"});  // replaces the file
  EXPECT_EQ(read_in("web", "/srv/index.html"), "<h1>hi</h1>\n");
  EXPECT_EQ(read_in("web", "/srv/css/app.css"), "body{}\n");
  EXPECT_EQ(read_in("web", "/etc/httpd.conf"), "listen 80\n");

  const fs::path back = scratch.path() / "back";
  fs::create_directories(back);
  ok({"cp", "web:/srv", back.string()});
  EXPECT_EQ(st::read(back / "srv/index.html"), "<h1>hi</h1>\n");
  EXPECT_EQ(st::lstat_of(back / "srv/index.html").st_mode & 07777, 0640u) << "the mode comes along, both ways";
  EXPECT_EQ(fs::read_symlink(back / "srv/default.html"), "index.html") << "a link is copied as a link";
  ok({"cp", u.substr(0, 8) + ":/etc/httpd.conf", (back / "copy.conf").string()});
  EXPECT_EQ(st::read(back / "copy.conf"), "listen 80\n");
  EXPECT_EQ(st::lstat_of(back / "copy.conf").st_mode & 07777, 0600u);

  // Bad input changes nothing and says why.
  EXPECT_EQ(run({"cp", "web:/etc/passwd", "web:/tmp/x"}).code, 2);
  EXPECT_EQ(run({"cp", "/etc/hostname", "/tmp/x"}).code, 2);
  EXPECT_EQ(run({"cp", "/etc/hostname", "web:etc/x"}).code, 2) << "a jail path is absolute";
  EXPECT_EQ(run({"cp", "/etc/hostname", "web:/../../x"}).code, 2);
  EXPECT_EQ(run({"cp", "web:/no/such/file", back.string()}).code, 3);
  EXPECT_EQ(run({"cp", "/etc/hostname", "nosuchjail:/x"}).code, 3);
  ok({"cp", src.string(), "web:/srv/css"});  // an existing directory takes it under its name
  EXPECT_EQ(read_in("web", "/srv/css/site/css/app.css"), "body{}\n");
  EXPECT_EQ(run({"cp", src.string(), "web:/srv/css"}).code, 1) << "a tree never lands on an existing one";
  EXPECT_EQ(run({"cp", src.string(), "web:/no/such/dir/x"}).code, 3);
}

TEST_F(CpLogsE2E, NeverFollowsALinkTheJailPlanted) {
  create({"-c", "tag=evil"});
  const fs::path outside = scratch.path() / "host-secret";
  fs::create_directories(outside);
  st::write(outside / "shadow", "host only\n");
  // The jail's root makes links to host paths (absolute links mean the
  // jail's own root inside it, but the host would resolve them on its own).
  ok({"start", "evil"});
  ok({"exec", "evil", "/bin/sh", "-c", "ln -s " + outside.string() + " /target && ln -s " + outside.string() + "/shadow /leak"});
  ok({"stop", "evil"});
  const fs::path payload = scratch.path() / "payload";
  st::write(payload, "pwned\n");
  auto in = run({"cp", payload.string(), "evil:/target/planted"});
  EXPECT_EQ(in.code, 1) << in.err;
  EXPECT_NE(in.err.find("symbolic link"), std::string::npos) << in.err;
  EXPECT_FALSE(fs::exists(outside / "planted"));
  auto out = run({"cp", "evil:/leak", (scratch.path() / "got").string()});
  EXPECT_NE(out.code, 0);
  EXPECT_FALSE(fs::exists(scratch.path() / "got")) << "the host's file was not read through the jail's link";
  EXPECT_EQ(st::read(outside / "shadow"), "host only\n");
}

TEST_F(CpLogsE2E, LogsShowsTheConsoleLogItsTailAndFollows) {
  const std::string u = create({"-c", "tag=svc", "exec_start=/bin/sh -c 'echo first; echo second; echo third'"});
  EXPECT_EQ(run({"logs", "svc"}).code, 3) << "no log before the first start";
  ok({"start", "svc"});
  const std::string all = ok({"logs", "svc"}).out;
  EXPECT_NE(all.find("first\nsecond\nthird\n"), std::string::npos) << all;
  EXPECT_EQ(ok({"logs", "-n", "1", "svc"}).out, "third\n");
  EXPECT_EQ(run({"logs", "-n", "many", "svc"}).code, 2);

  // -f prints what is appended: a line written after it started shows up.
  const fs::path log = root / "log" / (u + "-console.log");
  ASSERT_TRUE(fs::exists(log)) << log;
  const fs::path captured = scratch.path() / "followed";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    FILE* f = std::freopen(captured.c_str(), "w", stdout);
    (void)f;
    ::execl(IOCELL_BINARY, "iocell", "--root", root.c_str(), "logs", "-f", "-n", "0", "svc", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  { std::ofstream(log, std::ios::app) << "appended later\n"; }
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream in(captured);
    std::stringstream s;
    s << in.rdbuf();
    seen = s.str() == "appended later\n";
  }
  ::kill(child, SIGTERM);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(seen) << "logs -f printed: " << st::read(captured);
  ok({"stop", "svc"});
}

}  // namespace
