// The vlans property at `set`: each item is vnetN:VID with VID from 1 to
// 4094, each vnetN once and an interface of the jail; a refused value names
// itself and what is allowed, and changes nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/run_iocell.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {
namespace {

class Vlans : public ::testing::Test {
 protected:
  TempDir dir{"iocell-vlans-set"};
  std::filesystem::path root = dir.path() / "root";
  CliResult run(std::vector<std::string> args) { return run_iocell(root, std::move(args)); }
  CliResult ok(const std::vector<std::string>& args) { return expect_success(args, run(args)); }
};

TEST_F(Vlans, SetRefusesWhatIsNotAVlanOfAnInterface) {
  ok({"create", "-e", "tag=www", "interfaces=vnet0:" + std::string("vbr0")});
  for (const std::string bad : {"vnet0:0", "vnet0:4095", "vnet0:ten", "vnet0", "eth0:10", "vnet0:10,vnet0:20", "vnet0:010", "vnet0:10,"}) {
    auto r = run({"set", "vlans=" + bad, "www"});
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("invalid value '" + bad + "' for property vlans"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("VID from 1 to 4094"), std::string::npos) << r.err;
  }
  auto other = run({"set", "vlans=vnet1:10", "www"});
  EXPECT_EQ(other.code, 2) << other.err;
  EXPECT_NE(other.err.find("vnet1 on a VLAN, but it is not one of the jail's interfaces"), std::string::npos) << other.err;
  EXPECT_EQ(trim(ok({"get", "vlans", "www"}).out), "none") << "a refused value changes nothing";
  ok({"set", "vlans=vnet0:4094", "www"});
  // Taking the interface away from under its VLAN is refused too.
  EXPECT_EQ(run({"set", "interfaces=vnet1:" + std::string("vbr0"), "www"}).code, 2);
  ok({"set", "interfaces=vnet1:" + std::string("vbr0"), "vlans=vnet1:20", "www"});
  EXPECT_EQ(trim(ok({"get", "vlans", "www"}).out), "vnet1:20");
}

}  // namespace
}  // namespace iocell::test
