// iocell doctor's Linux checks that read the host's files: which cgroup
// controllers serve the limits, which namespace kinds the kernel has.
#include <gtest/gtest.h>

#include <fstream>

#include "cg_layout.hpp"
#include "cgroup_checks.hpp"
#include "ns_checks.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace cg = iocell::plugins::cgroup;

cg::Layout v2_with(std::vector<std::string> controllers) {
  cg::Hierarchy h;
  h.v2 = true;
  h.mount = "/sys/fs/cgroup";
  h.controllers = std::move(controllers);
  return cg::Layout{{h}};
}

TEST(DoctorChecks, CgroupControllersMissingFailOnlyForJailsWithLimits) {
  const auto all = cg::controllers_check(v2_with({"cpuset", "cpu", "io", "memory", "pids"}), true);
  EXPECT_TRUE(all.ok);
  EXPECT_EQ(all.detail, "memory(v2) pids(v2) cpu(v2) cpuset(v2)") << "v2 has no cpuacct to miss";
  const auto some = cg::controllers_check(v2_with({"cpu", "memory"}), true);
  EXPECT_FALSE(some.ok);
  EXPECT_NE(some.detail.find("missing: pids cpuset"), std::string::npos) << some.detail;
  EXPECT_NE(some.fix.find("echo '+pids +cpuset' > /sys/fs/cgroup/cgroup.subtree_control"), std::string::npos) << some.fix;
  EXPECT_TRUE(cg::controllers_check(v2_with({"cpu", "memory"}), false).ok);
}

TEST(DoctorChecks, NamespacesNameTheMissingKinds) {
  iocell::test::TempDir dir("iocell-doctor-ns");
  for (const char* ns : {"mnt", "pid", "uts", "ipc", "net"}) std::ofstream(dir.path() / ns) << "";
  auto c = iocell::plugins::linux_ns::namespaces_check(dir.path());
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.detail, "missing: cgroup");
  EXPECT_NE(c.fix.find("CONFIG_NAMESPACES"), std::string::npos);
  std::ofstream(dir.path() / "cgroup") << "";
  c = iocell::plugins::linux_ns::namespaces_check(dir.path());
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.detail, "mnt pid uts ipc net cgroup");
}

}  // namespace
