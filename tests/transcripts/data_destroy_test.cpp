// iocell destroy on a FreeBSD host, the whole operation (zfs and the
// FreeBSD tools by transcript).
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>

#include <iocell/core/context.hpp>
#include <iocell/core/ops/jails.hpp>

#include "support/data_freebsd_host.hpp"

using iocell::test::data::FreebsdHost;
namespace core = iocell::core;

// A basejail's starts snapshot each shared directory of the base under the
// jail's UUID (and clone it into the jail): destroying the jail removes
// those snapshots too, not only its own datasets.
TEST(DataDestroy, BasejailTakesItsSnapshotsOfTheBaseAlong) {
  const std::string u = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
  FreebsdHost h("destroy/basejail.txt", {{"U", u}});
  auto rec = h.add_jail(u, {{"tag", "www"}, {"type", "basejail"}, {"release", "14.3-RELEASE"}});
  core::destroy_jail(*h.ctx, rec, false);
  h.finish();
}

// The origin snapshot of a clone may be gone by the time destroy removes
// it: the clone is destroyed all the same, with a warning, and no zfs
// destroy names a snapshot that is not there.
TEST(DataDestroy, ACloneWhoseOriginSnapshotIsGoneIsDestroyedWithAWarning) {
  const std::string u = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10", c = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";
  FreebsdHost h("destroy/clone_origin_gone.txt", {{"U", u}, {"C", c}});
  std::ostringstream logged;
  h.ctx->host().log->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(logged));
  h.add_jail(u, {{"tag", "src"}, {"type", "thickjail"}, {"release", "14.3-RELEASE"}});
  auto rec = h.add_jail(c, {{"tag", "copy"}, {"type", "clonejail"}, {"release", "14.3-RELEASE"}});
  EXPECT_NO_THROW(core::destroy_jail(*h.ctx, rec, false));
  EXPECT_NE(logged.str().find("origin snapshot jails/" + u + "/root@" + c + " of " + c + " was already gone"), std::string::npos)
      << logged.str();
  h.finish();
}
