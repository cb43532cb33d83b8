// The jail runtime against FreeBSD command transcripts (tests/transcripts/jail/).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "fbsd_shared_ip.hpp"
#include "jail_devfs.hpp"
#include "jail_runtime.hpp"
#include "rctl_limits.hpp"
#include "support/freebsd_rig.hpp"
#include "support/error_of.hpp"

namespace {

using iocell::plugins::freebsd_net::SharedIp;
using iocell::plugins::jail::JailRuntime;
namespace jail = iocell::plugins::jail;
using iocell::plugins::rctl::RctlLimits;
using iocell::sdk::ExecRequest;
using iocell::sdk::RunState;
using iocell::test::FreebsdRig;

RunState state_of(const FreebsdRig& rig, std::int64_t jid) {
  RunState st;
  st.name = rig.spec.name;
  st.jid = jid;
  st.path = rig.spec.root.string();
  return st;
}

ExecRequest in_jail(std::vector<std::string> argv, const FreebsdRig& rig) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.log_to = rig.spec.console_log;
  return req;
}

const iocell::sdk::Command* find_command(const FreebsdRig& rig, const std::vector<std::string>& argv) {
  for (const auto& c : rig.runner.seen())
    if (c.argv == argv) return &c;
  return nullptr;
}

using iocell::test::error_of;

TEST(FreebsdJail, SharedIpStartAndStopAsTheCoreDrivesThem) {
  FreebsdRig rig;
  auto& spec = rig.spec;
  spec.props.set("ip4_addr", "em0|10.1.1.10/24");
  spec.props.set("ip6_addr", "em0|2001:db8::10/64");
  rig.write_fstab("# extra mounts\n/iocell/shared " + spec.root.string() + "/mnt/shared nullfs ro 0 0\n");
  rig.load("jail/shared_ip_start_stop.txt");
  JailRuntime rt(rig.host);
  SharedIp net(rig.host);
  RctlLimits limits(rig.host);

  limits.prepare(spec);
  net.prepare(spec);
  RunState st = rt.create(spec);
  EXPECT_EQ(st.jid, 7);
  EXPECT_EQ(st.name, spec.name);
  EXPECT_EQ(st.ip4, "10.1.1.10");
  net.attach(spec, st);
  limits.apply(spec, st);
  EXPECT_TRUE(rt.exec(spec, st, in_jail({"/bin/sh", "/etc/rc"}, rig)).ok());

  rt.exec(spec, st, in_jail({"/bin/sh", "/etc/rc.shutdown", "jail"}, rig));
  net.detach(spec, st);
  rt.destroy(spec, st);
  net.cleanup(spec);
  limits.remove(spec);
  rig.expect_done();

  const auto* rm = find_command(rig, {"jail", "-f", "-", "-r", spec.name});
  ASSERT_NE(rm, nullptr);
  EXPECT_EQ(rm->stdin_data.value_or(""), spec.name + " {\n\tstop.timeout = 30;\n}\n");
  const auto* start = find_command(rig, {"jexec", "-l", spec.name, "/bin/sh", "/etc/rc"});
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start->timeout, std::chrono::seconds(60)) << "exec_start runs under exec_timeout";
  EXPECT_NE(rig.read(spec.console_log).find("Starting sshd."), std::string::npos);
}

TEST(FreebsdJail, ExecIsExactlyOneJexec) {
  FreebsdRig rig;
  rig.load("jail/exec_one_jexec.txt");
  JailRuntime rt(rig.host);
  ExecRequest req;
  req.argv = {"ls", "-l", "/usr/local/www"};
  req.jail_user = "www";
  auto res = rt.exec(rig.spec, state_of(rig, 7), req);
  EXPECT_EQ(res.exit_code, 2);
  EXPECT_EQ(res.out, "total 0\n");
  EXPECT_EQ(rig.runner.seen().size(), 1u);
  rig.expect_done();
  EXPECT_FALSE(std::filesystem::exists(rig.spec.console_log)) << "only exec_start/exec_stop write the console log";
}

TEST(FreebsdJail, ExecRefusesBothUsers) {
  FreebsdRig rig;
  JailRuntime rt(rig.host);
  ExecRequest req;
  req.argv = {"id"};
  req.user = "root";
  req.jail_user = "www";
  EXPECT_NE(error_of([&] { rt.exec(rig.spec, state_of(rig, 7), req); }).find("not both"), std::string::npos);
  EXPECT_TRUE(rig.runner.seen().empty());
}

TEST(FreebsdJail, ConsoleIsAnInteractiveLogin) {
  FreebsdRig rig;
  rig.load("jail/console.txt");
  JailRuntime rt(rig.host);
  ExecRequest req;
  req.interactive = true;
  req.login = true;
  rt.exec(rig.spec, state_of(rig, 7), req);
  rig.expect_done();
  ASSERT_EQ(rig.runner.seen().size(), 1u);
  EXPECT_TRUE(rig.runner.seen()[0].interactive);
}

TEST(FreebsdJail, WarmRestartKillsProcessesButNotTheJail) {
  FreebsdRig rig;
  rig.load("jail/warm_restart_kill.txt");
  JailRuntime rt(rig.host);
  rt.kill_processes(rig.spec, state_of(rig, 7));
  rig.expect_done();
  for (const auto& c : rig.runner.seen()) EXPECT_NE(c.argv[0], "jail") << "the jail itself must stay";
}

TEST(FreebsdJail, WarmRestartSigkillsSurvivorsAfterStopTimeout) {
  FreebsdRig rig;
  rig.spec.props.set("stop_timeout", "0");
  rig.load("jail/warm_restart_sigkill.txt");
  JailRuntime rt(rig.host);
  rt.kill_processes(rig.spec, state_of(rig, 7));
  rig.expect_done();
}

TEST(FreebsdJail, AllowPropertiesChangeLive) {
  FreebsdRig rig;
  rig.load("jail/allow_live.txt");
  JailRuntime rt(rig.host);
  rt.set_live(rig.spec, state_of(rig, 7), "allow_raw_sockets", "1");
  rt.set_live(rig.spec, state_of(rig, 7), "allow_mount_zfs", "0");
  rig.expect_done();
  EXPECT_NE(error_of([&] { rt.set_live(rig.spec, state_of(rig, 7), "securelevel", "3"); }).find("restart"), std::string::npos);
  EXPECT_NE(error_of([&] { rt.set_live(rig.spec, state_of(rig, 7), "allow_chflags", "yes"); }).find("0 or 1"), std::string::npos);
}

TEST(FreebsdJail, RunningReadsOneJlsAndKeepsOnlyIocellJails) {
  FreebsdRig rig;
  rig.load("jail/running.txt");
  JailRuntime rt(rig.host);
  auto jails = rt.running();
  rig.expect_done();
  ASSERT_EQ(jails.size(), 2u);
  EXPECT_EQ(jails[0].name, rig.spec.name);
  EXPECT_EQ(jails[0].jid, 7);
  EXPECT_EQ(jails[0].path, rig.spec.root.string());
  EXPECT_EQ(jails[0].ip4, "10.1.1.10,10.1.1.11");
  EXPECT_EQ(jails[1].jid, 9);
  EXPECT_EQ(jails[1].ip4, "");
}

TEST(FreebsdJail, BpfRulesetIsCreatedInIocellsRange) {
  FreebsdRig rig;
  rig.spec.props.set("bpf", "on");
  rig.spec.params.emplace_back("vnet", "new");
  rig.load("jail/devfs_bpf_ruleset.txt");
  JailRuntime rt(rig.host);
  EXPECT_EQ(rt.create(rig.spec).jid, 8);
  rig.expect_done();
}

TEST(FreebsdJail, BpfRulesetOfIocellIsReused) {
  FreebsdRig rig;
  rig.spec.props.set("dhcp", "on");  // dhcp implies bpf
  rig.spec.params.emplace_back("vnet", "new");
  rig.load("jail/devfs_bpf_reuse.txt");
  JailRuntime rt(rig.host);
  rt.create(rig.spec);
  rig.expect_done();
}

TEST(FreebsdJail, ForeignRulesetInIocellsRangeIsNeverTouched) {
  FreebsdRig rig;
  rig.spec.props.set("bpf", "on");
  rig.spec.params.emplace_back("vnet", "new");
  rig.load("jail/devfs_bpf_foreign.txt");
  JailRuntime rt(rig.host);
  const std::string err = error_of([&] { rt.create(rig.spec); });
  EXPECT_NE(err.find("1004"), std::string::npos) << err;
  EXPECT_NE(err.find("not made by iocell"), std::string::npos) << err;
  rig.expect_done();
}

TEST(FreebsdJail, TunAndVmmDevicesComeThroughARulesetOfTheirOwn) {
  FreebsdRig rig;
  rig.spec.props.set("allow_tun", "1");
  rig.spec.props.set("allow_vmm", "1");
  rig.spec.params.emplace_back("ip4.addr", "em0|10.1.1.10/24");
  rig.load("jail/devfs_tun_vmm.txt");
  JailRuntime rt(rig.host);
  EXPECT_EQ(rt.create(rig.spec).jid, 7);
  rig.expect_done();
}

TEST(FreebsdJail, DerivedRulesetNumbersDecodeAndRefuseBasesTheyCannotHold) {
  EXPECT_EQ(jail::derived_ruleset_number({4, jail::kGrantBpf}), 1004) << "the bpf rulesets keep their numbers";
  EXPECT_EQ(jail::derived_ruleset_number({99, jail::kGrantAll}), 1699);
  const auto back = jail::derived_ruleset_of(1504);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->base, 4);
  EXPECT_EQ(back->grants, unsigned{jail::kGrantTun | jail::kGrantVmm});
  EXPECT_FALSE(jail::derived_ruleset_of(1100).has_value()) << "base 0 is no ruleset of iocell's";
  EXPECT_FALSE(jail::derived_ruleset_of(1804).has_value()) << "no grant set past all three";
  EXPECT_NE(error_of([] { jail::derived_ruleset_number({100, jail::kGrantTun}); }).find("between 1 and 99"), std::string::npos);
}

TEST(FreebsdJail, BpfOnASharedIpJailIsRefused) {
  FreebsdRig rig;
  rig.spec.props.set("bpf", "on");
  JailRuntime rt(rig.host);
  EXPECT_NE(error_of([&] { rt.create(rig.spec); }).find("vnet=on"), std::string::npos);
  EXPECT_TRUE(rig.runner.seen().empty());
}

TEST(FreebsdJail, DevfsRulesetZeroIsRefusedBeforeAnythingRuns) {
  FreebsdRig rig;
  rig.spec.props.set("devfs_ruleset", "0");
  rig.load("jail/devfs_ruleset_zero.txt");
  JailRuntime rt(rig.host);
  const std::string err = error_of([&] { rt.create(rig.spec); });
  EXPECT_NE(err.find("devfs_ruleset=0"), std::string::npos) << err;
  EXPECT_NE(err.find("/etc/devfs.rules"), std::string::npos) << "the error says how to do it right: " << err;
  EXPECT_TRUE(rig.runner.seen().empty());
  rig.expect_done();
}

TEST(FreebsdJail, LinprocfsAndLinsysfsAreMountedAndUnmounted) {
  FreebsdRig rig;
  rig.spec.props.set("mount_linprocfs", "1");
  rig.spec.props.set("mount_linsysfs", "1");
  rig.load("jail/linprocfs.txt");
  JailRuntime rt(rig.host);
  auto st = rt.create(rig.spec);
  EXPECT_TRUE(std::filesystem::is_directory(rig.spec.root / "compat/linux/proc"));
  EXPECT_TRUE(std::filesystem::is_directory(rig.spec.root / "compat/linux/sys"));
  rt.destroy(rig.spec, st);
  rig.expect_done();
}

TEST(FreebsdJail, LinprocfsOverAPlantedSymlinkIsRefusedAndTheJailRemoved) {
  FreebsdRig rig;
  rig.spec.props.set("mount_linprocfs", "1");
  iocell::test::TempDir elsewhere("iocell-fbsd-target");
  std::filesystem::create_symlink(elsewhere.path(), rig.spec.root / "compat");
  rig.load("jail/linprocfs_symlink.txt");
  JailRuntime rt(rig.host);
  EXPECT_NE(error_of([&] { rt.create(rig.spec); }).find("symbolic link"), std::string::npos);
  rig.expect_done();
  EXPECT_FALSE(std::filesystem::exists(elsewhere.path() / "linux")) << "nothing was created through the link";
}

TEST(FreebsdJail, ExecFibUsesSetfibAroundTheOneJexec) {
  FreebsdRig rig;
  rig.spec.props.set("exec_fib", "2");
  rig.spec.params.emplace_back("ip4.addr", "em0|10.1.1.10/24");
  rig.load("jail/exec_fib.txt");
  JailRuntime rt(rig.host);
  auto st = rt.create(rig.spec);
  ExecRequest req;
  req.argv = {"netstat", "-rn"};
  rt.exec(rig.spec, st, req);
  ExecRequest console;
  console.login = true;
  console.interactive = true;
  rt.exec(rig.spec, st, console);
  rig.expect_done();
}

TEST(FreebsdJail, ChrootRunsInATemporaryJailWithoutNetwork) {
  FreebsdRig rig;
  rig.load("jail/chroot.txt");
  JailRuntime rt(rig.host);
  ExecRequest req;
  req.argv = {"/bin/sh"};
  req.interactive = true;
  rt.chroot(rig.spec, req);
  rig.expect_done();
  EXPECT_TRUE(rig.runner.seen()[1].interactive);
}

TEST(FreebsdJail, JailZfsDelegatesTheDefaultDatasetAndTakesItBack) {
  FreebsdRig rig;
  rig.spec.props.set("jail_zfs", "on");
  rig.load("jail/jail_zfs_start_stop.txt");
  JailRuntime rt(rig.host);
  auto st = rt.create(rig.spec);
  EXPECT_EQ(st.jid, 9);
  rt.destroy(rig.spec, st);
  rig.expect_done();
}

TEST(FreebsdJail, JailZfsNamedDatasetsGetJailedOn) {
  FreebsdRig rig;
  rig.spec.props.set("jail_zfs", "on");
  rig.spec.props.set("jail_zfs_dataset", "iocell/data/www tank/shared");
  rig.load("jail/jail_zfs_named.txt");
  JailRuntime rt(rig.host);
  EXPECT_EQ(rt.create(rig.spec).jid, 9) << "a failed in-jail zfs mount is a warning, not a failed start";
  rig.expect_done();
}

TEST(FreebsdJail, EveryAllowPropertyAndProcfsReachJailCreate) {
  FreebsdRig rig;
  for (const char* p : {"allow_chflags", "allow_mlock", "allow_mount", "allow_mount_nullfs", "allow_mount_tmpfs", "allow_quotas",
                        "allow_raw_sockets", "allow_socket_af", "mount_procfs"})
    rig.spec.props.set(p, "1");
  rig.spec.props.set("enforce_statfs", "1");
  rig.spec.params.emplace_back("ip4.addr", "em0|10.1.1.10/24");
  rig.load("jail/allow_all.txt");
  JailRuntime rt(rig.host);
  EXPECT_EQ(rt.create(rig.spec).jid, 7);
  rig.expect_done();
}

// jail.8, allow.mount: effective only with enforce_statfs below 2. At the
// default enforce_statfs=2 the permission would be accepted and do nothing.
TEST(FreebsdJail, MountPermissionsAtEnforceStatfsTwoAreRefused) {
  FreebsdRig rig;
  rig.spec.props.set("allow_mount", "1");
  rig.spec.props.set("allow_mount_nullfs", "1");
  JailRuntime rt(rig.host);
  const std::string err = error_of([&] { rt.create(rig.spec); });
  EXPECT_NE(err.find("allow_mount=1, allow_mount_nullfs=1"), std::string::npos) << err;
  EXPECT_NE(err.find("enforce_statfs=1"), std::string::npos) << "the error says what to set: " << err;
  EXPECT_NE(error_of([&] { rt.set_live(rig.spec, state_of(rig, 7), "allow_mount_tmpfs", "1"); }).find("enforce_statfs"),
            std::string::npos);
  EXPECT_TRUE(rig.runner.seen().empty()) << "nothing ran";
}

TEST(FreebsdJail, StopUnmountsUnderARootWithABlankInItsPath) {
  FreebsdRig rig;
  rig.spec.root = rig.spec.home / "my root";
  std::filesystem::create_directories(rig.spec.root);
  rig.load("jail/stop_blank_root.txt");
  JailRuntime rt(rig.host);
  rt.destroy(rig.spec, state_of(rig, 7));
  rig.expect_done();
}

TEST(FreebsdJail, LinuxUserlandFstabMountsAreUndoneInReverse) {
  FreebsdRig rig;
  const std::string r = rig.spec.root.string();
  rig.write_fstab("linprocfs " + r + "/proc linprocfs rw 0 0\nlinsysfs " + r + "/sys linsysfs rw 0 0\n" + "tmpfs " + r +
                  "/tmp tmpfs rw,nosuid,mode=1777 0 0\n");
  rig.load("jail/linux_fstab.txt");
  JailRuntime rt(rig.host);
  auto st = rt.create(rig.spec);
  rt.destroy(rig.spec, st);
  rig.expect_done();
}

TEST(FreebsdJail, MissingVimageIsExplained) {
  FreebsdRig rig;
  rig.spec.params.emplace_back("vnet", "new");
  rig.spec.params.emplace_back("ip4.addr", "em0|10.1.1.10/24");  // dropped: VNET jails take no addresses
  rig.load("jail/create_no_vimage.txt");
  JailRuntime rt(rig.host);
  EXPECT_NE(error_of([&] { rt.create(rig.spec); }).find("VIMAGE"), std::string::npos);
  rig.expect_done();
}

}  // namespace
