// iocell destroy on a FreeBSD host, the whole operation (zfs and the
// FreeBSD tools by transcript).
#include <gtest/gtest.h>

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
