// The hostname line iocell keeps in a FreeBSD jail's rc.conf: every line
// that sets it is rewritten in place, the rest of the file is kept, and
// nothing is written into a root that is not a FreeBSD userland.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <iocell/core/ops/host.hpp>

#include "support/temp_dir.hpp"

namespace iocell::core {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::trunc) << text; }

struct FreebsdRoot {
  test::TempDir dir{"iocell-rcconf"};
  FreebsdRoot() { fs::create_directories(dir.path() / "etc/rc.d"); }
  fs::path rc() const { return dir.path() / "etc/rc.conf"; }
};

TEST(RcConfHostname, AddedToAMissingOrEmptyFile) {
  FreebsdRoot r;
  write_rc_conf_hostname(r.dir.path(), "www");
  EXPECT_EQ(read(r.rc()), "hostname=\"www\"\n");
  write(r.rc(), "");
  write_rc_conf_hostname(r.dir.path(), "db");
  EXPECT_EQ(read(r.rc()), "hostname=\"db\"\n");
}

TEST(RcConfHostname, EveryHostnameLineIsRewrittenAndTheRestKept) {
  FreebsdRoot r;
  write(r.rc(), "sshd_enable=\"YES\"\nhostname=\"old\"\n# hostname=\"comment\"\nhostname=\"older\"\nifconfig_vnet0=\"DHCP\"");
  write_rc_conf_hostname(r.dir.path(), "new");
  EXPECT_EQ(read(r.rc()),
            "sshd_enable=\"YES\"\nhostname=\"new\"\n# hostname=\"comment\"\nhostname=\"new\"\nifconfig_vnet0=\"DHCP\"");
  write(r.rc(), "sshd_enable=\"YES\"\n");
  write_rc_conf_hostname(r.dir.path(), "first");
  EXPECT_EQ(read(r.rc()), "hostname=\"first\"\nsshd_enable=\"YES\"\n");
}

TEST(RcConfHostname, ASymlinkPlantedAsRcConfIsReplacedNotFollowed) {
  FreebsdRoot r;
  test::TempDir outside("iocell-rcconf-out");
  write(outside.path() / "target", "keep\n");
  fs::create_symlink(outside.path() / "target", r.rc());
  write_rc_conf_hostname(r.dir.path(), "www");
  EXPECT_EQ(read(outside.path() / "target"), "keep\n");
  EXPECT_FALSE(fs::is_symlink(r.rc()));
  EXPECT_EQ(read(r.rc()), "hostname=\"www\"\n");
}

TEST(RcConfHostname, ALinuxRootIsLeftAlone) {
  test::TempDir dir("iocell-rcconf-linux");
  fs::create_directories(dir.path() / "etc");
  write_rc_conf_hostname(dir.path(), "www");
  EXPECT_FALSE(fs::exists(dir.path() / "etc/rc.conf"));
}

}  // namespace
}  // namespace iocell::core
