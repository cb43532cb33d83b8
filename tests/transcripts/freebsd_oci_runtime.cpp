// The jail runtime's OCI side against FreeBSD command transcripts
// (tests/transcripts/oci/). The first process is started with
// CommandRunner::spawn; the scripted runner pins its argv with the rest and
// answers its pid.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "jail_runtime.hpp"
#include "oci_runtime.hpp"
#include "support/error_of.hpp"
#include "support/freebsd_rig.hpp"

namespace {

namespace so = iocell::sdk::oci;
namespace fs = std::filesystem;
using iocell::plugins::jail::JailOciRuntime;
using iocell::test::error_of;
using iocell::test::FreebsdRig;

struct OciRig {
  OciRig() : state(rig.host.root / "oci" / "web1") {
    fs::create_directories(state);
    c.id = "web1";
    c.root = rig.spec.root;
    c.hostname = "web";
    c.process.args = {"/bin/echo", "hi"};
    c.process.env = {"PATH=/bin:/usr/bin", "TERM=xterm"};
  }
  JailOciRuntime runtime() { return JailOciRuntime(rig.host); }
  /// The start gates of the commands spawned so far.
  std::vector<fs::path> gates() const {
    std::vector<fs::path> out;
    for (const auto& cmd : rig.runner.seen())
      if (!cmd.start_gate.empty()) out.emplace_back(cmd.start_gate);
    return out;
  }
  FreebsdRig rig;
  fs::path state;
  so::Container c;
};

// A listening console socket, as conmon has.
class ConsoleSocket {
 public:
  explicit ConsoleSocket(fs::path p) : path(std::move(p)) {
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(m_fd, 4), 0);
  }
  ~ConsoleSocket() { ::close(m_fd); }
  /// The descriptor sent on the next connection, -1 when none came.
  int received() {
    const int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (conn < 0) return -1;
    char name[256];
    iovec iov{name, sizeof name};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    int fd = -1;
    if (::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) > 0 && CMSG_FIRSTHDR(&msg) && CMSG_FIRSTHDR(&msg)->cmsg_type == SCM_RIGHTS)
      std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof fd);
    ::close(conn);
    return fd;
  }
  fs::path path;

 private:
  int m_fd = -1;
};

so::Mount mount(std::string dest, std::string type, std::string source, std::vector<std::string> options = {}) {
  return so::Mount{std::move(dest), std::move(type), std::move(source), std::move(options)};
}

TEST(FreebsdOci, CreateStartKillRemove) {
  OciRig o;
  o.c.root_readonly = true;
  o.c.process.rlimits = {{RLIMIT_NOFILE, 1024, 1024}};
  o.c.mounts = {mount("/dev", "devfs", "devfs"), mount("/dev/fd", "fdescfs", "fdesc"),
                mount("/tmp", "tmpfs", "tmpfs", {"mode=1777", "size=64m"}),
                mount("/data", "nullfs", "/iocell/shared", {"ro", "rbind"}), mount("/proc", "procfs", "proc")};
  o.c.jail_params = {{"ip4", "inherit"}, {"allow.raw_sockets", "1"}, {"sysvshm", "new"}};
  o.rig.load("oci/lifecycle.txt");
  auto rt = o.runtime();

  const so::Handle h = rt.create(o.c, o.state, {});
  EXPECT_EQ(h.pid, 4242);
  ASSERT_EQ(o.gates().size(), 1U);
  EXPECT_EQ(o.gates()[0], o.state / "exec.fifo") << "the first process waits on the start fifo";
  EXPECT_TRUE(fs::is_fifo(o.state / "exec.fifo"));
  for (const char* point : {"dev", "tmp", "data", "proc"})
    EXPECT_TRUE(fs::is_directory(o.c.root / point)) << point << ": mount points are made in the root";
  EXPECT_EQ(rt.status(h), so::Status::Created);

  // The spawned process holds the fifo's read end in production; here this
  // does, so that start's non-blocking open finds a reader.
  const int reader = ::open((o.state / "exec.fifo").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  rt.start(h);
  char go = 0;
  EXPECT_EQ(::read(reader, &go, 1), 1) << "start wrote the byte the first process waits for";
  ::close(reader);
  EXPECT_FALSE(fs::exists(o.state / "exec.fifo"));
  EXPECT_EQ(rt.status(h), so::Status::Running);
  rt.kill(h, SIGTERM, true);
  EXPECT_EQ(rt.status(h), so::Status::Stopped);
  rt.remove(h, o.c);
  o.rig.expect_done();
}

TEST(FreebsdOci, AFailedCreateUndoesItsMountsInReverse) {
  OciRig o;
  o.c.hostname.clear();
  o.c.mounts = {mount("/dev", "devfs", "devfs", {"ruleset=10"}), mount("/tmp", "tmpfs", "tmpfs")};
  o.c.jail_params = {{"ip4", "bogus"}};
  o.rig.load("oci/create_undo.txt");
  auto rt = o.runtime();
  EXPECT_NE(error_of([&] { rt.create(o.c, o.state, {}); }).find("ip4: invalid value"), std::string::npos);
  EXPECT_TRUE(o.gates().empty());
  EXPECT_FALSE(fs::exists(o.state / "exec.fifo"));
  o.rig.expect_done();
}

TEST(FreebsdOci, ExecAsAContainerUserInItsDirectory) {
  OciRig o;
  fs::create_directories(o.c.root / "etc");
  std::ofstream(o.c.root / "etc" / "passwd") << "root:*:0:0:Charlie &:/root:/bin/sh\napp:*:1001:1001:App:/home/app:/bin/sh\n";
  std::ofstream(o.state / "jail.name") << "web1\n";
  o.rig.load("oci/exec_user.txt");
  auto rt = o.runtime();
  so::Handle h{4242, 0, o.state};
  so::Process p;
  p.args = {"./run", "--flag"};
  p.env = {"HOME=/home/app"};
  p.cwd = "/srv/app";
  p.uid = 1001;
  p.gid = 1001;
  p.umask = 077;
  p.rlimits = {{RLIMIT_NPROC, 100, 200}};
  const auto r = rt.exec(h, o.c, p, {}, false);
  EXPECT_EQ(r.status, 3);
  o.rig.expect_done();

  p.gid = 0;
  EXPECT_NE(error_of([&] { rt.exec(h, o.c, p, {}, false); }).find("process.user.gid"), std::string::npos);
  p.uid = 1002;
  EXPECT_NE(error_of([&] { rt.exec(h, o.c, p, {}, false); }).find("process.user.uid: 1002"), std::string::npos);
}

TEST(FreebsdOci, BindsOfAFileGetAFileMountPoint) {
  OciRig o;
  std::ofstream(o.rig.spec.home / "resolv.conf") << "nameserver 192.0.2.1\n";
  std::ofstream(o.c.root / "etc" / "hosts") << "127.0.0.1 localhost\n";
  const std::string src = (o.rig.spec.home / "resolv.conf").string();
  o.c.mounts = {mount("/etc/resolv.conf", "bind", src, {"rbind", "ro"}), mount("/etc/hosts", "nullfs", src)};
  o.rig.load("oci/bind_file.txt");
  auto rt = o.runtime();
  rt.create(o.c, o.state, {});
  o.rig.expect_done();
  EXPECT_TRUE(fs::is_regular_file(o.c.root / "etc" / "resolv.conf"));
  EXPECT_EQ(o.rig.read(o.c.root / "etc" / "hosts"), "127.0.0.1 localhost\n") << "the image's file is mounted over, not rewritten";
}

// On FreeBSD the jail runtime is the host's OCI runtime: the core finds it
// through oci() and no longer says no plugin runs OCI containers.
TEST(FreebsdOci, TheJailRuntimeOffersIt) {
  FreebsdRig rig;
  iocell::plugins::jail::JailRuntime jail(rig.host);
  EXPECT_NE(jail.oci(), nullptr);
  EXPECT_EQ(jail.oci(), jail.oci());
}

// Each refusal names the field and runs nothing (the runner has no script).
TEST(FreebsdOci, RefusesWhatAJailCannotCarry) {
  auto refused = [](const std::function<void(so::Container&)>& edit) {
    OciRig o;
    edit(o.c);
    auto rt = o.runtime();
    const std::string err = error_of([&] { rt.create(o.c, o.state, {}); });
    EXPECT_TRUE(o.rig.runner.seen().empty()) << err;
    EXPECT_FALSE(fs::exists(o.state / "exec.fifo")) << err;
    return err;
  };
  EXPECT_NE(refused([](so::Container& c) { c.jail_params["persist"] = "1"; }).find("freebsd.jail.persist"), std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.jail_params["exec.prestart"] = "/bin/sh"; }).find("freebsd.jail.exec.prestart"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.jail_params["path"] = "/"; }).find("freebsd.jail.path"), std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.jail_params["nosuchparam"] = "1"; }).find("freebsd.jail.nosuchparam"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.namespaces.push_back({"user", {}}); }).find("linux.namespaces: a 'user' namespace"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.sysctl["net.ipv4.ip_forward"] = "1"; }).find("linux.sysctl.net.ipv4.ip_forward"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.process.caps_bounding = 1; }).find("process.capabilities"), std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.mounts.push_back(mount("/sys", "sysfs", "sysfs")); }).find("mounts[0].type: 'sysfs'"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.mounts.push_back(mount("/m", "nullfs", "/x", {"shared"})); })
                .find("mounts[0].options: 'shared'"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.mounts.push_back(mount("/../etc", "tmpfs", "tmpfs")); })
                .find("mounts[0].destination"),
            std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.process.rlimits.push_back({-7, 1, 1}); }).find("process.rlimits"), std::string::npos);
  EXPECT_NE(refused([](so::Container& c) { c.id = "1234"; }).find("id: '1234'"), std::string::npos);
}

// A mount point that is a symbolic link in the image is never followed to
// the host: the create stops before mount(8) runs.
TEST(FreebsdOci, RefusesAMountPointThroughASymlink) {
  OciRig o;
  fs::create_symlink("/etc", o.c.root / "data");
  o.c.mounts = {mount("/data/x", "tmpfs", "tmpfs")};
  auto rt = o.runtime();
  EXPECT_FALSE(error_of([&] { rt.create(o.c, o.state, {}); }).empty());
  EXPECT_TRUE(o.rig.runner.seen().empty());
  EXPECT_FALSE(fs::exists("/etc/x"));
}

}  // namespace

namespace {

TEST(FreebsdOci, ATerminalProcessGetsAPtyWhoseMasterGoesToTheConsoleSocket) {
  OciRig o;
  o.c.process.terminal = true;
  o.c.process.args = {"/bin/sh"};
  ConsoleSocket console(o.state / "console.sock");
  o.rig.load("oci/terminal.txt");
  auto rt = o.runtime();
  const so::Handle h = rt.create(o.c, o.state, so::Console{console.path});
  const iocell::sdk::Command first = o.rig.runner.seen().back();
  EXPECT_EQ(first.argv.front(), "jexec");
  EXPECT_TRUE(first.terminal_session) << "the pty becomes the process's controlling terminal";
  EXPECT_GE(first.stdin_fd, 0);
  EXPECT_EQ(first.stdout_fd, first.stdin_fd);
  EXPECT_EQ(first.stderr_fd, first.stdin_fd);
  EXPECT_EQ(::fcntl(first.stdin_fd, F_GETFD), -1) << "the runtime keeps no descriptor of the process's terminal";
  EXPECT_EQ(first.start_gate, (o.state / "exec.fifo").string()) << "still held until start";
  const int master = console.received();
  ASSERT_GE(master, 0) << "the master went to the console socket";
  EXPECT_TRUE(::isatty(master));
  ::close(master);
  // start, with this test holding the fifo's read end as the process would.
  const int reader = ::open((o.state / "exec.fifo").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  rt.start(h);
  ::close(reader);

  so::Process p;
  p.args = {"/bin/sh"};
  p.env = {"TERM=xterm"};
  p.terminal = true;
  EXPECT_NE(error_of([&] { rt.exec(h, o.c, p, {}, true); }).find("--console-socket, and none was given"), std::string::npos)
      << "refused before anything runs";
  const auto r = rt.exec(h, o.c, p, so::Console{console.path}, true);
  EXPECT_EQ(r.pid, 4243);
  EXPECT_TRUE(o.rig.runner.seen().back().terminal_session);
  const int exec_master = console.received();
  EXPECT_GE(exec_master, 0);
  ::close(exec_master);
  o.rig.expect_done();
}

}  // namespace
