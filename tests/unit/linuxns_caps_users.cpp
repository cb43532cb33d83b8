// Capabilities a Linux jail keeps, and users looked up in its own files.
#include <linux/capability.h>

#include <gtest/gtest.h>

#include "caps.hpp"
#include "passwd.hpp"

namespace iocell::plugins::linux_ns {
namespace {

bool has(std::uint64_t set, int cap) { return (set >> cap) & 1; }

TEST(LinuxNsCaps, DefaultJailLosesDangerousPowers) {
  sdk::PropertyMap props({{"allow_mount", "0"}, {"allow_raw_sockets", "0"}, {"vnet", "off"}});
  auto keep = jail_capabilities(props);
  for (int cap : {CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_TIME, CAP_SYS_ADMIN, CAP_NET_RAW, CAP_NET_ADMIN, CAP_SYS_PTRACE,
                  CAP_MKNOD, CAP_DAC_READ_SEARCH, CAP_SYS_BOOT, CAP_SYSLOG, CAP_BPF})
    EXPECT_FALSE(has(keep, cap)) << "capability " << cap;
  for (int cap : {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_SETUID, CAP_SETGID, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT})
    EXPECT_TRUE(has(keep, cap)) << "capability " << cap;
}

TEST(LinuxNsCaps, AllowPropertiesGrantTheMatchingPower) {
  sdk::PropertyMap props({{"allow_mount", "1"}, {"allow_raw_sockets", "1"}, {"allow_mlock", "1"}, {"allow_chflags", "1"}, {"vnet", "on"}});
  auto keep = jail_capabilities(props);
  EXPECT_TRUE(has(keep, CAP_SYS_ADMIN));
  EXPECT_TRUE(has(keep, CAP_NET_RAW));
  EXPECT_TRUE(has(keep, CAP_IPC_LOCK));
  EXPECT_TRUE(has(keep, CAP_LINUX_IMMUTABLE));
  EXPECT_TRUE(has(keep, CAP_NET_ADMIN)) << "a VNET jail owns its network stack";
  EXPECT_FALSE(has(keep, CAP_SYS_MODULE));
}

TEST(LinuxNsUsers, FindsUsersByNameAndUid) {
  const std::string passwd = "# comment\nroot:x:0:0:root:/root:/bin/sh\nwww:x:80:80:web:/var/www:\nbroken:x:abc:1::/:\n";
  auto u = find_user(passwd, "www");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 80u);
  EXPECT_EQ(u->home, "/var/www");
  EXPECT_EQ(u->shell, "/bin/sh") << "an empty shell field means /bin/sh";
  auto by_uid = find_user(passwd, "0");
  ASSERT_TRUE(by_uid);
  EXPECT_EQ(by_uid->name, "root");
  auto numeric = find_user(passwd, "4242");
  ASSERT_TRUE(numeric);
  EXPECT_EQ(numeric->uid, 4242u);
  EXPECT_FALSE(find_user(passwd, "broken"));
  EXPECT_FALSE(find_user(passwd, "nobody"));
}

TEST(LinuxNsUsers, SupplementaryGroups) {
  const std::string group = "wheel:x:0:root,www\nweb:x:80:\nstaff:x:20:admin,www\n";
  EXPECT_EQ(groups_of(group, "www", 80), (std::vector<gid_t>{80, 0, 20}));
  EXPECT_EQ(groups_of(group, "nobody", 65534), (std::vector<gid_t>{65534}));
}

}  // namespace
}  // namespace iocell::plugins::linux_ns
