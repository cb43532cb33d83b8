// Whole lifecycle operations on a transcript FreeBSD host: the jail runtime
// plugin under the core's sequence (tests/transcripts/jail/warm_restart_full.txt).
#include <gtest/gtest.h>

#include <fstream>

#include <iocell/core/ops/lifecycle.hpp>

#include "support/data_freebsd_host.hpp"

using iocell::test::data::FreebsdHost;
namespace core = iocell::core;
namespace fs = std::filesystem;

namespace {
const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
}  // namespace

TEST(DataLifecycle, WarmRestartStopsAndStartsInsideTheSameJail) {
  FreebsdHost h("jail/warm_restart_full.txt", {{"U", U}});
  auto rec = h.add_jail(U, {{"tag", "www"}, {"type", "thickjail"}, {"release", "14.2-RELEASE"}});
  // The rc scripts the defaults name; without them there is nothing to run.
  const fs::path root = h.root / "jails" / U / "root";
  fs::create_directories(root / "etc");
  std::ofstream(root / "etc/rc") << "#!/bin/sh\n";
  std::ofstream(root / "etc/rc.shutdown") << "#!/bin/sh\n";
  fs::create_directories(h.root / "log");
  core::restart_jail(*h.ctx, rec);
  h.finish();
  const std::string config = iocell::test::storage::read(h.root / "jails" / U / "config.json");
  EXPECT_NE(config.find("last_started"), std::string::npos) << config;
}

TEST(DataLifecycle, RcbootStartsByPriorityAndRcshutdownStopsInReverse) {
  const std::string u1 = "7a1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c11", u2 = "2b1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c12",
                    u3 = "3c1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c13", u4 = "4d1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c14";
  FreebsdHost h("jail/rcboot_priority.txt",
                {{"U1", u1}, {"U2", u2}, {"U3", u3}, {"EXE", fs::read_symlink("/proc/self/exe").string()}});
  const core::PropertyValues base = {{"type", "thickjail"}, {"release", "14.2-RELEASE"}};
  auto with = [&](core::PropertyValues p, const std::string& tag, const std::string& boot, const std::string& prio) {
    p["tag"] = tag;
    p["boot"] = boot;
    p["priority"] = prio;
    return p;
  };
  h.add_jail(u1, with(base, "web", "on", "20"));
  h.add_jail(u2, with(base, "db", "on", "10"));
  h.add_jail(u3, with(base, "db2", "on", "10"));
  h.add_jail(u4, with(base, "off", "off", "1"));
  EXPECT_EQ(core::rcboot(*h.ctx), 1) << "one start failed";
  EXPECT_NE(h.err.str().find("db2"), std::string::npos) << h.err.str();
  EXPECT_EQ(core::rcshutdown(*h.ctx), 0);
  h.finish();
}
