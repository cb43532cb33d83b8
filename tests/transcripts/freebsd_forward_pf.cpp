// The pf port forwarder against FreeBSD command transcripts
// (tests/transcripts/pf/): one anchor per jail, loaded from stdin and
// flushed, refusals when pf is off or pf.conf lacks iocell's anchors.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "pf_forwarder.hpp"
#include "support/freebsd_rig.hpp"
#include "support/error_of.hpp"

namespace {

using iocell::plugins::freebsd_net::PfForwarder;
using iocell::sdk::RunState;
using iocell::test::FreebsdRig;

using iocell::test::error_of;

void forwarding_jail(FreebsdRig& rig) {
  rig.spec.props.set("vnet", "on");
  rig.spec.props.set("ip4_addr", "vnet0|10.1.1.10/24");
  rig.spec.props.set("ip6_addr", "vnet0|2001:db8:1::10/64");
  rig.spec.props.set("rdr", "tcp(em0|203.0.113.5):80->80,udp(em0|0.0.0.0):5353->53,tcp(em0|2001:db8::5):443->8443");
}

TEST(FreebsdForward, LoadsTheJailsAnchorFromStdinAndFlushesItAtStop) {
  FreebsdRig rig;
  forwarding_jail(rig);
  rig.load("pf/forward_load.txt");
  PfForwarder pf(rig.host);
  pf.add(rig.spec, RunState{rig.spec.name, 12, rig.spec.root.string(), ""});
  const auto active = pf.active(rig.spec);
  ASSERT_EQ(active.size(), 6u);
  EXPECT_EQ(active[0], "rdr on em0 inet proto tcp from any to 203.0.113.5 port = http -> 10.1.1.10 port 80");
  pf.remove(rig.spec);
  rig.expect_done();
}

TEST(FreebsdForward, RefusedWhenPfIsNotEnabled) {
  FreebsdRig rig;
  forwarding_jail(rig);
  rig.load("pf/forward_disabled.txt");
  PfForwarder pf(rig.host);
  const std::string err = error_of([&] { pf.add(rig.spec, RunState{}); });
  EXPECT_NE(err.find("needs pf enabled"), std::string::npos) << err;
  EXPECT_NE(err.find("Status: Disabled"), std::string::npos) << err;
  EXPECT_NE(err.find("service pf start"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdForward, RefusedWhenPfConfDoesNotReferenceTheAnchor) {
  FreebsdRig rig;
  forwarding_jail(rig);
  rig.load("pf/forward_no_anchor.txt");
  PfForwarder pf(rig.host);
  const std::string err = error_of([&] { pf.add(rig.spec, RunState{}); });
  EXPECT_NE(err.find("rdr-anchor \"iocell/*\""), std::string::npos) << err;
  EXPECT_EQ(err.find("and anchor"), std::string::npos) << "the filter anchor is referenced: " << err;
  EXPECT_NE(err.find("/etc/pf.conf"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdForward, FlushingWhatIsGoneIsNoError) {
  FreebsdRig rig;
  forwarding_jail(rig);
  rig.load("pf/forward_flush_gone.txt");
  PfForwarder pf(rig.host);
  pf.remove(rig.spec);
  rig.expect_done();
}

TEST(FreebsdForward, AnEntryWithoutAJailAddressOfItsFamilyIsRefusedBeforePfIsAsked) {
  FreebsdRig rig;
  forwarding_jail(rig);
  rig.spec.props.set("ip6_addr", "none");
  PfForwarder pf(rig.host);
  const std::string err = error_of([&] { pf.add(rig.spec, RunState{}); });
  EXPECT_NE(err.find("tcp(em0|2001:db8::5):443->8443"), std::string::npos) << err;
  EXPECT_NE(err.find("ip6_addr"), std::string::npos) << err;
  rig.expect_done();
}

}  // namespace
