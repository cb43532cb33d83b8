// The linux-ns jail record (which init is the jail's, and which cgroups it
// joined) and the kernel's last capability, as the runtime reads them.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "jail_record.hpp"
#include "ns_util.hpp"
#include "support/temp_dir.hpp"

namespace iocell::plugins::linux_ns {
namespace {

TEST(LinuxNsRecords, ReadBackWithTheirCgroups) {
  test::TempDir dir("iocell-records");
  RecordStore store(dir.path());
  JailRecord rec;
  rec.pid = 4242;
  rec.start_ticks = 123456789012ULL;
  rec.boot = "b7e2c1f0-1111-2222-3333-444455556666";
  rec.pidns = 4026532281ULL;
  rec.root = "/var/lib/iocell/jails/x/root";
  rec.ip4 = "10.0.0.2";
  rec.cgroups_recorded = true;
  rec.cgroups = {"/sys/fs/cgroup/pids/iocell/ioc-x/cgroup.procs", "/sys/fs/cgroup/memory/iocell/ioc-x/cgroup.procs"};
  store.save("ioc-x", rec);
  auto back = store.load("ioc-x");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid, rec.pid);
  EXPECT_EQ(back->start_ticks, rec.start_ticks);
  EXPECT_EQ(back->boot, rec.boot);
  EXPECT_EQ(back->pidns, rec.pidns);
  EXPECT_EQ(back->root, rec.root);
  EXPECT_EQ(back->ip4, rec.ip4);
  EXPECT_TRUE(back->cgroups_recorded);
  EXPECT_EQ(back->cgroups, rec.cgroups);
  ASSERT_EQ(store.all().size(), 1u);

  rec.cgroups_recorded = false;  // an older record: the groups are found from /proc
  store.save("ioc-y", rec);
  EXPECT_FALSE(store.load("ioc-y")->cgroups_recorded);
  rec.cgroups_recorded = true;
  rec.cgroups = {"/sys/fs/cgroup/odd\nname/cgroup.procs"};  // cannot be one line: not recorded
  store.save("ioc-z", rec);
  EXPECT_FALSE(store.load("ioc-z")->cgroups_recorded);
}

TEST(LinuxNsRecords, DamagedRecordsReadAsNone) {
  test::TempDir dir("iocell-records");
  RecordStore store(dir.path());
  for (const char* text : {"", "pid=1\n", "pid=12x\nstart=5\n", "pid=77\nstart=five\n", "garbage"}) {
    std::ofstream(dir.path() / "ioc-bad", std::ios::trunc) << text;
    EXPECT_FALSE(store.load("ioc-bad")) << text;
  }
}

TEST(LinuxNsRecords, LastCapabilityAsTheKernelSaysIt) {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int expected = -1;
  if (!(in >> expected)) GTEST_SKIP() << "no /proc/sys/kernel/cap_last_cap";
  EXPECT_EQ(last_cap(), expected);
}

}  // namespace
}  // namespace iocell::plugins::linux_ns
