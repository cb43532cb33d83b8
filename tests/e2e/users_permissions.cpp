// The jail(8) permissions iocage has and iocell lacked: allow_tun and
// allow_vmm give device nodes (on Linux: /dev/net/tun and /dev/kvm, read
// from the host), exec_created runs on the host between the jail's creation
// and its exec_start.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;

class PermissionsE2E : public DataE2E {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: jails start for real";
    DataE2E::SetUp();
    fetch();
  }
};

TEST_F(PermissionsE2E, AllowTunGivesTheJailTheTunDeviceAndNothingElseDoes) {
  struct stat host {};
  if (::stat("/dev/net/tun", &host) != 0) GTEST_SKIP() << "this host has no /dev/net/tun";
  create({"tag=vpn", "allow_tun=1"});
  create({"tag=plain"});
  ok({"start", "vpn", "plain"});
  const auto listed = ok({"exec", "vpn", "/bin/ls", "-ln", "/dev/net/tun"}).out;
  EXPECT_EQ(listed.rfind("c", 0), 0u) << "a character device: " << listed;
  EXPECT_NE(listed.find("10,"), std::string::npos) << "the host's numbers (misc 10, 200): " << listed;
  EXPECT_NE(run({"exec", "plain", "/bin/ls", "/dev/net/tun"}).code, 0) << "a jail without allow_tun has no tun device";
  const auto r = run({"set", "allow_tun=0", "vpn"});
  EXPECT_EQ(r.code, 0) << r.err;  // stored; the device goes at the next start
  ok({"stop", "vpn"});
  ok({"start", "vpn"});
  EXPECT_NE(run({"exec", "vpn", "/bin/ls", "/dev/net/tun"}).code, 0);
}

TEST_F(PermissionsE2E, AllowVmmGivesKvmOrRefusesTheStartNamingWhatIsMissing) {
  create({"tag=vmhost", "allow_vmm=1"});
  struct stat host {};
  if (::stat("/dev/kvm", &host) != 0) {
    const auto r = run({"start", "vmhost"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("allow_vmm=1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("/dev/kvm"), std::string::npos) << r.err;
    EXPECT_EQ(ok({"get", "state", "vmhost"}).out, "down\n");
    return;
  }
  ok({"start", "vmhost"});
  EXPECT_EQ(ok({"exec", "vmhost", "/bin/ls", "-ln", "/dev/kvm"}).out.rfind("c", 0), 0u);
}

TEST_F(PermissionsE2E, ExecCreatedRunsOnTheHostAfterCreationAndBeforeExecStart) {
  create({"tag=hooked"});
  ok({"set", "exec_created=/bin/sh -c 'echo \"$JID $JNAME\" > \"$JPATH/created-by-host\"'",
      "exec_start=/bin/sh -c 'cp /created-by-host /seen-at-start'", "hooked"});
  ok({"start", "hooked"});
  const std::string seen = ok({"exec", "hooked", "/bin/cat", "/seen-at-start"}).out;
  EXPECT_NE(seen.find("ioc-"), std::string::npos) << "JNAME is the jail's name: " << seen;
  ok({"stop", "hooked"});
  ok({"set", "exec_created=/bin/false", "hooked"});
  const auto r = run({"start", "hooked"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("exec_created failed"), std::string::npos) << r.err;
  EXPECT_EQ(ok({"get", "state", "hooked"}).out, "down\n") << "a failed hook undoes the start";
}

}  // namespace
