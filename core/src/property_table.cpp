// The property table, constant data: nothing is built at run time, and the
// index by name is sorted by the compiler. Every command on a jail reads it.
#include <algorithm>
#include <array>

#include <iocell/core/properties.hpp>
#include <iocell/core/trust.hpp>
#include <iocell/support/rctl.hpp>

namespace iocell::core {
namespace {

using T = PropType;
using C = PropCategory;
using L = LiveChange;

constexpr PropertyDef def(std::string_view name, T type, std::string_view dflt, C cat, L live, std::string_view help) {
  return PropertyDef{name, type, dflt, cat, live, help, 0, 0, {}};
}
constexpr PropertyDef integer(std::string_view name, std::string_view dflt, std::int64_t min, std::int64_t max, C cat,
                              L live, std::string_view help) {
  return PropertyDef{name, T::Integer, dflt, cat, live, help, min, max, {}};
}
constexpr PropertyDef choice(std::string_view name, std::string_view dflt, std::span<const std::string_view> choices,
                             C cat, L live, std::string_view help) {
  return PropertyDef{name, T::Enum, dflt, cat, live, help, 0, 0, choices};
}

constexpr std::string_view kNewInheritDisable[] = {"new", "inherit", "disable"};
constexpr std::string_view kCompression[] = {"on", "off", "lz4", "lzjb", "gzip", "gzip-1", "gzip-2", "gzip-3", "gzip-4", "gzip-5", "gzip-6", "gzip-7", "gzip-8", "gzip-9", "zle", "zstd"};
constexpr std::string_view kDedup[] = {"on", "off", "verify", "sha256", "sha512", "skein", "edonr", "blake3"};

constexpr auto kRctlNames = [] {
  std::array<std::string_view, std::size(support::kRctlResources)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = support::kRctlResources[i].name;
  return out;
}();

constexpr PropertyDef kTable[] = {
    // Identity and bookkeeping (iocell-only).
    def("uuid", T::ReadOnly, "", C::Iocell, L::Refused, "the jail's UUID (also host.hostuuid)"),
    def("tag", T::Tag, "", C::Iocell, L::Now, "a unique name for the jail; defaults to the creation date and time"),
    def("type", T::ReadOnly, "", C::Iocell, L::Refused, "thickjail, clonejail, basejail or emptyjail"),
    def("template", T::YesNo, "no", C::Iocell, L::Refused, "yes turns a stopped jail into a template; no turns it back, to patch it (its clones keep working)"),
    def("release", T::Release, "", C::Iocell, L::Restart, "the FreeBSD release the jail runs"),
    def("boot", T::OnOff, "off", C::Iocell, L::Now, "start the jail at host boot (rcboot)"),
    integer("priority", "99", 0, 99, C::Iocell, L::Now, "boot order: lower starts first, stops last"),
    def("depends", T::JailList, "none", C::Iocell, L::Now, "jails started before this one (and stopped after it): TAG|UUID[,...]"),
    def("healthcheck", T::Text, "none", C::Iocell, L::Now, "command run inside until it succeeds before jails that depend on this one start"),
    integer("healthcheck_timeout", "60", 0, 86400, C::Iocell, L::Now, "seconds the healthcheck has to succeed"),
    def("notes", T::Text, "none", C::Iocell, L::Now, "free text"),
    def("owner", T::Text, "root", C::Iocell, L::Now, "who the jail belongs to"),
    def("last_started", T::ReadOnly, "none", C::Iocell, L::Now, "when the jail last started"),
    def("hostid", T::Text, "", C::Iocell, L::Restart, "the host the jail belongs to (/etc/hostid); start refuses others"),
    def("pkglist", T::Path, "none", C::Iocell, L::Now, "a file of package names installed at creation"),
    def("hack88", T::Flag, "0", C::Iocell, L::Refused, "mount the jail under a short path (88-character mount limit)"),
    def("login_flags", T::Text, "-f root", C::Iocell, L::Now, "arguments of login(1) for console"),
    // jail(8) parameters.
    def("host_hostuuid", T::ReadOnly, "", C::Jail, L::Refused, "host.hostuuid (the UUID)"),
    def("host_hostname", T::Hostname, "", C::Jail, L::Restart, "host.hostname, also written into rc.conf"),
    def("host_domainname", T::Text, "none", C::Jail, L::Restart, "host.domainname"),
    choice("ip4", "new", kNewInheritDisable, C::Jail, L::Restart, "ip4 (shared IP only)"),
    def("ip4_addr", T::IpList, "none", C::Network, L::Restart, "IPv4 addresses: IF|ADDR/LEN[,...], DEFAULT|ADDR, none"),
    def("ip4_saddrsel", T::Flag, "1", C::Jail, L::Restart, "ip4.saddrsel"),
    choice("ip6", "new", kNewInheritDisable, C::Jail, L::Restart, "ip6 (shared IP only)"),
    def("ip6_addr", T::IpList, "none", C::Network, L::Restart, "IPv6 addresses: IF|ADDR/LEN[,...], IF|accept_rtadv, IF|DHCP6, none"),
    def("ip6_saddrsel", T::Flag, "1", C::Jail, L::Restart, "ip6.saddrsel"),
    integer("exec_fib", "0", 0, 65535, C::Jail, L::Restart, "routing table (setfib) of the jail's commands"),
    integer("devfs_ruleset", "4", 0, 65535, C::Jail, L::Restart, "devfs ruleset of the jail's /dev (0 needs -f)"),
    def("mount_devfs", T::Flag, "1", C::Jail, L::Restart, "mount devfs on /dev"),
    def("mount_fdescfs", T::Flag, "1", C::Jail, L::Restart, "mount fdescfs on /dev/fd"),
    def("mount_procfs", T::Flag, "0", C::Jail, L::Restart, "mount procfs on /proc"),
    def("mount_linprocfs", T::Flag, "0", C::Jail, L::Restart, "mount linprocfs on /compat/linux/proc"),
    def("mount_linsysfs", T::Flag, "0", C::Jail, L::Restart, "mount linsysfs on /compat/linux/sys"),
    def("exec_prestart", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command before start"),
    def("exec_created", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command right after the jail is created, before its network and exec_start"),
    def("exec_start", T::Text, "/bin/sh /etc/rc", C::Jail, L::Now, "command run inside at start"),
    def("exec_poststart", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command after start"),
    def("exec_prestop", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command before stop"),
    def("exec_stop", T::Text, "/bin/sh /etc/rc.shutdown jail", C::Jail, L::Now, "command run inside at stop"),
    def("exec_poststop", T::Text, "/usr/bin/true", C::Jail, L::Now, "host command after stop"),
    def("exec_clean", T::Flag, "1", C::Jail, L::Now, "run in-jail commands with a clean environment"),
    integer("exec_timeout", "60", 0, 86400, C::Jail, L::Now, "seconds an exec_* command may run"),
    integer("stop_timeout", "30", 0, 86400, C::Jail, L::Now, "seconds between SIGTERM and SIGKILL at stop"),
    def("exec_jail_user", T::Text, "root", C::Jail, L::Now, "user of in-jail commands"),
    def("exec_system_jail_user", T::Flag, "0", C::Jail, L::Now, "look exec_jail_user up in the host's passwd"),
    def("exec_system_user", T::Text, "root", C::Jail, L::Now, "user of host commands"),
    integer("enforce_statfs", "2", 0, 2, C::Jail, L::Restart, "which mounts the jail sees"),
    integer("children_max", "0", 0, 65535, C::Jail, L::Restart, "children.max"),
    integer("securelevel", "2", -1, 3, C::Jail, L::Restart, "securelevel"),
    choice("sysvmsg", "new", kNewInheritDisable, C::Jail, L::Restart, "System V message queues"),
    choice("sysvsem", "new", kNewInheritDisable, C::Jail, L::Restart, "System V semaphores"),
    choice("sysvshm", "new", kNewInheritDisable, C::Jail, L::Restart, "System V shared memory"),
    def("allow_set_hostname", T::Flag, "1", C::Jail, L::Now, "allow.set_hostname"),
    def("allow_sysvipc", T::Flag, "0", C::Jail, L::Now, "allow.sysvipc (deprecated: use sysv*)"),
    def("allow_raw_sockets", T::Flag, "0", C::Jail, L::Now, "allow.raw_sockets (ping, traceroute)"),
    def("allow_chflags", T::Flag, "0", C::Jail, L::Now, "allow.chflags"),
    def("allow_mlock", T::Flag, "0", C::Jail, L::Now, "allow.mlock"),
    def("allow_mount", T::Flag, "0", C::Jail, L::Now, "allow.mount"),
    def("allow_mount_devfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.devfs"),
    def("allow_mount_fdescfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.fdescfs"),
    def("allow_mount_fusefs", T::Flag, "0", C::Jail, L::Now, "allow.mount.fusefs"),
    def("allow_mount_nullfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.nullfs (lets jailed root escape: CVE-2025-15547)"),
    def("allow_mount_procfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.procfs"),
    def("allow_mount_linprocfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.linprocfs"),
    def("allow_mount_linsysfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.linsysfs"),
    def("allow_mount_tmpfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.tmpfs"),
    def("allow_mount_zfs", T::Flag, "0", C::Jail, L::Now, "allow.mount.zfs"),
    def("allow_quotas", T::Flag, "0", C::Jail, L::Now, "allow.quotas"),
    def("allow_socket_af", T::Flag, "0", C::Jail, L::Now, "allow.socket_af"),
    def("allow_tun", T::Flag, "0", C::Jail, L::Restart, "tun(4) devices in the jail's /dev (a devfs ruleset over devfs_ruleset)"),
    def("allow_vmm", T::Flag, "0", C::Jail, L::Restart, "allow.vmm: bhyve(8) in the jail, with the vmm(4) devices in its /dev"),
    // Networking (iocell-only).
    def("vnet", T::OnOff, "off", C::Network, L::Restart, "a virtual network stack of its own"),
    def("interfaces", T::Interfaces, "vnet0:bridge0,vnet1:bridge1", C::Network, L::Restart, "VNET interfaces: vnetN:BRIDGE[,...]"),
    def("vlans", T::Vlans, "none", C::Network, L::Restart, "VLAN of each VNET interface on its bridge: vnetN:VID[,...] (untagged member)"),
    def("defaultrouter", T::Address, "none", C::Network, L::Restart, "IPv4 default route inside a VNET jail"),
    def("defaultrouter6", T::Address, "none", C::Network, L::Restart, "IPv6 default route inside a VNET jail"),
    def("resolver", T::Resolver, "none", C::Network, L::Restart, "resolv.conf lines separated by ';', none copies the host's"),
    def("dhcp", T::OnOff, "off", C::Network, L::Restart, "DHCP on vnet0 (VNET jails; implies bpf)"),
    def("bpf", T::OnOff, "off", C::Network, L::Restart, "expose bpf devices (VNET jails only)"),
    def("createbridge", T::OnOff, "on", C::Network, L::Restart, "create missing bridges named in interfaces"),
    def("rdr", T::Forwards, "none", C::Network, L::Refused, "host ports forwarded to the jail: PROTO(IF|ADDRESS):PORT->PORT[,...]"),
    // ZFS datasets inside the jail.
    def("jail_zfs", T::OnOff, "off", C::Storage, L::Restart, "delegate ZFS datasets to the jail"),
    def("jail_zfs_dataset", T::Text, "", C::Storage, L::Refused, "datasets delegated to the jail"),
    def("jail_zfs_mountpoint", T::Path, "none", C::Storage, L::Refused, "mountpoint of the delegated dataset"),
    // Resource limits.
    def("rlimits", T::OnOff, "off", C::Rctl, L::Now, "apply the rctl limits below at start"),
    def("cpuset", T::CpuSet, "off", C::Rctl, L::Now, "CPUs the jail may run on: off or a list such as 0-3,5"),
    // Native storage properties.
    choice("compression", "lz4", kCompression,
           C::Storage, L::Now, "compression of the jail's datasets"),
    def("quota", T::Size, "none", C::Storage, L::Now, "space limit of the jail"),
    def("reservation", T::Size, "none", C::Storage, L::Now, "space guaranteed to the jail"),
    choice("dedup", "off", kDedup, C::Storage, L::Now, "deduplication"),
    def("origin", T::ReadOnly, "-", C::Storage, L::Refused, "snapshot the jail was cloned from"),
    def("mountpoint", T::ReadOnly, "-", C::Storage, L::Refused, "where the jail's dataset is mounted"),
    def("compressratio", T::ReadOnly, "-", C::Storage, L::Refused, "achieved compression ratio"),
    def("available", T::ReadOnly, "-", C::Storage, L::Refused, "space available"),
    def("used", T::ReadOnly, "-", C::Storage, L::Refused, "space used"),
    // Fetch settings (also kept in jail configs, as the shell version does).
    def("ftphost", T::Text, "download.freebsd.org", C::Fetch, L::Now, "release mirror: a URL (http, https, ftp, file) or a host name, fetched over https if it is download.freebsd.org and over ftp otherwise"),
    def("ftpdir", T::Text, "none", C::Fetch, L::Now, "directory on the mirror (none: the installer's releases/ or snapshots/ tree of the machine and release, at the top of download.freebsd.org and under pub/ on other mirrors)"),
    def("ftpfiles", T::Text, "base.txz lib32.txz src.txz", C::Fetch, L::Now, "distribution sets to fetch"),
    def("ftplocaldir", T::Path, "none", C::Fetch, L::Now, "take the sets from a local directory"),
    // VNET interface MACs.
    def("vnet0_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet0"),
    def("vnet1_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet1"),
    def("vnet2_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet2"),
    def("vnet3_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet3"),
    def("vnet4_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet4"),
    def("vnet5_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet5"),
    def("vnet6_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet6"),
    def("vnet7_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet7"),
    def("vnet8_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet8"),
    def("vnet9_mac", T::Mac, "none", C::Network, L::Restart, "MAC pair (host side, jail side) of vnet9"),
    // rctl(8) resources, in support::kRctlResources order (a unit test holds them together).
    def("cputime", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("datasize", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("stacksize", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("coredumpsize", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("memoryuse", T::Rctl, "8G:log", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("memorylocked", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("maxproc", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("openfiles", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("vmemoryuse", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("pseudoterminals", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("swapuse", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("nthr", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("msgqqueued", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("msgqsize", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("nmsgq", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("nsem", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("nsemop", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("nshm", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("shmsize", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("wallclock", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("pcpu", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("readbps", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("writebps", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("readiops", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
    def("writeiops", T::Rctl, "off", C::Rctl, L::Now, "rctl limit AMOUNT:ACTION or off"),
};

// The trust class of every property that is not Plain (core/trust.hpp),
// sorted by name: what an import takes only when the admin names it.
struct TrustEntry {
  std::string_view name;
  Trust trust;
};
constexpr TrustEntry kTrust[] = {
    {"allow_chflags", Trust::PrivilegeWidening},
    {"allow_mlock", Trust::PrivilegeWidening},
    {"allow_mount", Trust::PrivilegeWidening},
    {"allow_mount_devfs", Trust::PrivilegeWidening},
    {"allow_mount_fdescfs", Trust::PrivilegeWidening},
    {"allow_mount_fusefs", Trust::PrivilegeWidening},
    {"allow_mount_linprocfs", Trust::PrivilegeWidening},
    {"allow_mount_linsysfs", Trust::PrivilegeWidening},
    {"allow_mount_nullfs", Trust::PrivilegeWidening},
    {"allow_mount_procfs", Trust::PrivilegeWidening},
    {"allow_mount_tmpfs", Trust::PrivilegeWidening},
    {"allow_mount_zfs", Trust::PrivilegeWidening},
    {"allow_quotas", Trust::PrivilegeWidening},
    {"allow_raw_sockets", Trust::PrivilegeWidening},
    {"allow_set_hostname", Trust::PrivilegeWidening},
    {"allow_socket_af", Trust::PrivilegeWidening},
    {"allow_sysvipc", Trust::PrivilegeWidening},
    {"allow_tun", Trust::PrivilegeWidening},
    {"allow_vmm", Trust::PrivilegeWidening},
    {"boot", Trust::HostActing},
    {"bpf", Trust::PrivilegeWidening},
    {"children_max", Trust::PrivilegeWidening},
    {"createbridge", Trust::HostActing},
    {"depends", Trust::HostActing},
    {"devfs_ruleset", Trust::PrivilegeWidening},
    {"dhcp", Trust::PrivilegeWidening},
    {"enforce_statfs", Trust::PrivilegeWidening},
    {"exec_created", Trust::HostActing},
    {"exec_fib", Trust::PrivilegeWidening},
    {"exec_poststart", Trust::HostActing},
    {"exec_poststop", Trust::HostActing},
    {"exec_prestart", Trust::HostActing},
    {"exec_prestop", Trust::HostActing},
    {"exec_system_jail_user", Trust::PrivilegeWidening},
    {"exec_system_user", Trust::HostActing},
    {"ftpdir", Trust::HostActing},
    {"ftphost", Trust::HostActing},
    {"ftplocaldir", Trust::HostActing},
    {"interfaces", Trust::HostActing},
    {"ip4", Trust::PrivilegeWidening},
    {"ip4_addr", Trust::HostActing},
    {"ip6", Trust::PrivilegeWidening},
    {"ip6_addr", Trust::HostActing},
    {"jail_zfs", Trust::PrivilegeWidening},
    {"jail_zfs_dataset", Trust::PrivilegeWidening},
    {"jail_zfs_mountpoint", Trust::PrivilegeWidening},
    {"mount_devfs", Trust::PrivilegeWidening},
    {"mount_fdescfs", Trust::PrivilegeWidening},
    {"mount_linprocfs", Trust::PrivilegeWidening},
    {"mount_linsysfs", Trust::PrivilegeWidening},
    {"mount_procfs", Trust::PrivilegeWidening},
    {"pkglist", Trust::HostActing},
    {"rdr", Trust::HostActing},
    {"securelevel", Trust::PrivilegeWidening},
    {"sysvmsg", Trust::PrivilegeWidening},
    {"sysvsem", Trust::PrivilegeWidening},
    {"sysvshm", Trust::PrivilegeWidening},
    {"vlans", Trust::HostActing},
};
static_assert(std::all_of(std::begin(kTrust), std::end(kTrust), [](const TrustEntry& e) {
                return std::any_of(std::begin(kTable), std::end(kTable), [&](const PropertyDef& d) { return d.name == e.name; });
              }),
              "a trust class for a name the property table does not have");
static_assert(std::is_sorted(std::begin(kTrust), std::end(kTrust), [](const TrustEntry& a, const TrustEntry& b) { return a.name < b.name; }));

constexpr auto kByName = [] {
  std::array<const PropertyDef*, std::size(kTable)> index{};
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = &kTable[i];
  std::sort(index.begin(), index.end(), [](const PropertyDef* a, const PropertyDef* b) { return a->name < b->name; });
  return index;
}();

}  // namespace

std::span<const PropertyDef> property_table() { return kTable; }

std::span<const PropertyDef* const> properties_by_name() { return kByName; }

std::span<const std::string_view> rctl_resource_names() { return kRctlNames; }

Trust property_trust(std::string_view name) {
  const auto* it = std::lower_bound(std::begin(kTrust), std::end(kTrust), name,
                                    [](const TrustEntry& e, std::string_view n) { return e.name < n; });
  return it != std::end(kTrust) && it->name == name ? it->trust : Trust::Plain;
}

}  // namespace iocell::core
