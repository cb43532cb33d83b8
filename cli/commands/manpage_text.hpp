// The hand-written parts of iocell(8), in mdoc(7): everything the command
// and property tables cannot say. One sentence per line (mandoc -Tlint).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace iocell::cli {

inline constexpr const char* kDescription = R"(.Sh DESCRIPTION
.Nm
manages FreeBSD jails.
It fetches FreeBSD releases, creates jails of five types, starts and stops them with shared-IP or VNET networking, limits their resources with
.Xr rctl 8 ,
snapshots, clones, promotes, updates and upgrades them, records differential packages, and exports and imports them.
A jail is named by its UUID, a unique prefix of it, or its tag, as
.Sx TARGETS
explains; its settings are the properties of
.Sx PROPERTIES .
.Pp
On FreeBSD the jails live in ZFS datasets under
.Ar POOL Ns /iocell ,
mounted at
.Pa /iocell .
On Linux the same commands run on btrfs or plain directories, with Linux namespaces in place of
.Xr jail 8 .
The parts that touch the host are plugins;
.Nm Cm plugins
lists them.
.Pp
The global options come before the command:
.Bl -tag -width Ds
.It Fl -root Ar DIR
The state root.
Default:
.Ev IOCELL_ROOT ,
else
.Pa /iocell
on FreeBSD and
.Pa /var/lib/iocell
on Linux.
.It Fl -storage Ar NAME
The storage backend
.Pq Cm zfs , Cm btrfs , Cm dir
when the root is first used; afterwards the root keeps the one it has.
.It Fl -dry-run , Fl n
Print the commands an operation would run and change nothing.
.It Fl v
Debug output on standard error.
.It Fl q
Errors only.
.El
.Pp
Listing commands take
.Fl H ,
scripted output without a header and with fields separated by one tab, and
.Fl -json ,
one JSON document on standard output with numbers as numbers and
.Dq null
for an absent value
.Pq the keys are listed in Pa docs/json.md .
Messages and progress go to standard error, results to standard output.
)";

/// Paragraphs appended to a command's summary in COMMANDS, by command name.
inline const std::map<std::string, std::string>& command_details() {
  static const std::map<std::string, std::string> m = {
      {"activate", R"(The pool's
.Ar POOL Ns /iocell
dataset is mounted at the state root; refused while jails run.
)"},
      {"cap", R"(Needs
.Cm rlimits Ns = Ns Li on
and a running jail, else it is refused (exit 1).
Limits are applied at every start, and
.Cm set
applies a changed limit or cpuset to a running jail at once:
.Cm cap
re-applies them, after an
.Cm uncap .
)"},
      {"clean", R"(An interrupted
.Cm create
or
.Cm fetch
leaves only datasets whose names start with a dot, which no listing shows; this removes them.
)"},
      {"clone", R"(The clone gets a new UUID and the built-in and system defaults, with the given properties on top.
Without
.Ar SNAPSHOT
a new snapshot of the source's current state is taken.
A clone depends on its source's snapshot: destroy the source only after
.Cm promote .
)"},
      {"completion", R"(Load it with
.Ql source <(iocell completion bash)
in bash, or install
.Pa docs/completion/_iocell
in a directory of
.Ev fpath
for zsh and
.Pa docs/completion/iocell.fish
in
.Pa ~/.config/fish/completions .
Jail names and releases are completed by asking
.Nm
itself.
)"},
      {"create", R"(With
.Cm count Ns = Ns Ar N
it creates N jails tagged
.Ar TAG Ns _1
to
.Ar TAG Ns _N ;
the last octet of an
.Cm ip4_addr
grows by one per jail.
.Cm pkglist Ns = Ns Ar FILE
installs the packages named in FILE, one per line (a jail whose packages cannot
be installed is removed again and the command fails);
.Cm start Ns = Ns Li 1
starts the jails.
The release must have been fetched; an empty jail
.Pq Fl e
needs none.
A jail is built under a temporary name and appears only when complete.
)"},
      {"destroy", R"(Asks for confirmation on a terminal; without one,
.Fl f
is required.
A jail whose snapshots have clones is refused, naming them.
)"},
      {"exec", R"(The command runs as given, without a shell: use
.Ql sh -c '...'
for pipelines.
.Fl u
runs it as a user of the host's password database,
.Fl U
as a user of the jail's.
)"},
      {"get", R"(.Cm get all
prints every property as
.Ar name : Ns Ar value ,
.Cm get state
prints up or down, and
.Fl r
prints one property of every jail.
The values are effective ones: the jail's own, else the system default, else the built-in default.
)"},
      {"import", R"(With
.Fl -from Cm iocage
or
.Cm bastille ,
FILE is another jail manager's export:
.Ql iocage export
writes
.Ar NAME_DATE Ns .zip
or
.Ar NAME_DATE Ns .tar.xz
holding one zfs send stream per dataset,
.Ql bastille export
a tarball of the jail's directory
.Pq .txz, .tgz, .tzst
or an xz-compressed zfs send stream
.Pq .xz .
Streams need a root on zfs storage and go through the same checked receive as
.Cm import Fl -zfs ;
a tarball is extracted with the secure flags on any storage.
The jail gets a new UUID and its name as tag; iocage's
.Pa config.json
and Bastille's
.Pa jail.conf
are mapped as
.Cm migrate
maps them, then held to
.Fl -trust
like an image's manifest, and the exporter's fstab is never taken.
A
.Ar NAME_DATE Ns .sha256
beside the file must match.
)"},
      {"list", R"(The columns are JID, UUID, BOOT, STATE, TAG, TYPE, IP4 and RELEASE;
.Fl s
sorts by one of them.
)"},
      {"migrate", R"(See
.Sx MIGRATING FROM IOCELL 2 AND IOCAGE 1 .
)"},
      {"package", R"(The package can be deployed on a new jail of the same release and patch level with
.Cm import .
)"},
      {"promote", R"(The source becomes a clone of the promoted jail.
)"},
      {"rcboot", R"(Run by the rc.d script when
.Ql iocell_enable="YES"
is in
.Pa /etc/rc.conf .
Only jails whose
.Cm hostid
is this host's start; a jail that fails is reported and the others go on.
A jail starts after the jails its
.Cm depends
names, which come up as early as the first jail that needs them;
.Cm rcshutdown
stops in the reverse order.
)"},
      {"record", R"(While recording, every change under the jail's root lands in
.Pa recorded/
beside it;
.Cm record stop
prunes empty files and directories.
)"},
      {"reset", R"(UUID, tag, type, release, host name and the jail's MAC addresses are kept.
)"},
      {"restart", R"(Keeping the jail up avoids the VNET teardown the kernel handles worst.
)"},
      {"set", R"(Every value is checked before any is written; an invalid one changes nothing.
With
.Cm default
the values become system-wide defaults for jails created later.
See
.Sx PROPERTIES
for what each property takes and whether it can change while the jail runs.
)"},
      {"start", R"(The jails named by
.Cm depends
start first, when down, and each is awaited until its
.Cm healthcheck
succeeds inside it (at most
.Cm healthcheck_timeout
seconds); otherwise the start is refused and the dependency stays up.
.Cm stop
of several jails stops each before the jails it depends on, and warns when a
jail that depends on a stopped one still runs.
)"},
      {"update", R"(When the jail works, remove the back-out snapshot with
.Cm snapremove ;
if the update broke it,
.Cm rollback
to it.
)"},
      {"upgrade", R"(Merging
.Pa /etc
uses
.Xr etcupdate 8 ,
which needs the release's src.txz.
)"},
  };
  return m;
}

inline constexpr const char* kJailTypes = R"(.Sh JAIL TYPES
Jail types come from plugins;
.Nm Cm create Cm type Ns = Ns Ar NAME
makes a jail of any loaded type, and
.Nm Cm plugins
lists them.
The shipped types are:
.Bl -tag -width Ds
.It Cm thickjail
The default: a fully independent copy of the release, suitable for replication with
.Xr zfs 8
send and receive.
.It Cm clonejail
.Pq Nm Cm create Fl c
A thin clone of the release that stores only what changes.
.It Cm basejail
.Pq Nm Cm create Fl b
The release's system directories are shared read-only and attached again at every start, so that patching the release patches every basejail on it; the jail keeps its own
.Pa /etc , /var , /root
and
.Pa /usr/local .
.It Cm emptyjail
.Pq Nm Cm create Fl e
Nothing is installed: for unsupported releases, other userlands, and experiments.
.It Cm oci
.Pq Nm Cm create Cm type Ns = Ns Li oci Cm image Ns = Ns Ar SOURCE
The root is an OCI image's layers, applied in order with their whiteouts.
.Ar SOURCE
is
.Li oci-archive:PATH ,
.Li docker-archive:PATH
or
.Li oci:DIR ,
each optionally followed by
.Li :REF
to pick one image of several.
Every manifest, config and layer is checked against its sha256 digest, and every layer is extracted with the refusals of
.Cm import :
no
.Pa .. ,
no absolute path, nothing through a symbolic link, no device node.
No release is needed.
.Cm image
is the type's own property, read back with
.Cm get .
.Pa docs/oci-images.md
says what of the image's config maps to the exec properties.
.It template
Any jail with
.Cm template Ns = Ns Li yes .
Templates are listed with
.Nm Cm list Fl t ,
never started, and deployed with
.Nm Cm clone .
.El
)";

inline constexpr const char* kTargets = R"(.Sh TARGETS
Commands name jails in these ways:
.Bl -tag -width Ds
.It Ar UUID
The full UUID.
.It UUID prefix
The first characters of a UUID, when they match one jail only; several matches are an error that lists them and changes nothing.
.It Ar TAG
The exact tag.
Tags that could begin a UUID (lowercase hex digits, with dashes where a UUID has them) are refused; a jail made before that may still carry one, and a word that begins some jail's UUID names that jail, not the tagged one.
.It Cm ALL
Every jail (templates excepted), for the commands that say so;
.Cm set
of the
.Cm template
property takes in templates too.
.It Cm default
For
.Cm set :
the system-wide defaults.
.It Ar TARGET Ns @ Ns Ar SNAPSHOT
A snapshot of a jail, for
.Cm clone ,
.Cm snapshot ,
.Cm snapremove
and
.Cm rollback .
.El
)";

inline constexpr const char* kPropertiesIntro = R"(Properties are kept in each jail's
.Pa config.json .
A jail's effective value is its own, else the system default set with
.Nm Cm set Ar property Ns = Ns Ar value Cm default ,
else the built-in default given here.
.Cm set
checks every value first and names the property, the value and what is allowed.
)";

inline constexpr const char* kRctlIntro = R"(The rctl resources below are limited when
.Cm rlimits
is on: at every start, and at once when
.Cm set
changes one on a running jail.
.Cm set
refuses a limit this host's limits backend cannot enforce.
An amount takes the suffixes K, M, G, T and P.
The action
.Cm deny
is not available for cputime, wallclock and the four filesystem rates, and
.Cm throttle
only for those rates.
Set limits with the
.Cm log
action first and read the log before enforcing
.Cm deny .
)";

inline constexpr const char* kForwarding = R"(.Sh PORT FORWARDING
.Cm rdr
forwards host ports to a jail while it runs:
.Dl iocell set rdr=tcp(em0|203.0.113.5):80->80,udp(em0|203.0.113.5):53->53 www
Each entry
.Ql PROTO(IF|ADDRESS):PORT->PORT
forwards traffic of
.Ar PROTO ,
.Li tcp
or
.Li udp ,
that arrives on interface
.Ar IF
for host address
.Ar ADDRESS
and the first port to the same family's first static address of the jail in
.Cm ip4_addr
or
.Cm ip6_addr
and the second port.
Only that address is forwarded;
.Li 0.0.0.0
or
.Li ::
forwards every address of that family arriving on
.Ar IF .
The rules are loaded when the jail starts, after its network is attached,
and removed when it stops or a start fails;
.Cm rdr
cannot change while the jail runs.
.Fl -dry-run
prints the rules it would load.
.Pp
On
.Fx
each jail's rules are a
.Xr pf 4
anchor of their own,
.Li iocell/ Ns Ar UUID ,
loaded with
.Nm pfctl Fl a Li iocell/ Ns Ar UUID Fl f Li -
and flushed with
.Fl F Li all ;
the main ruleset is never changed.
pf must be enabled and
.Pa /etc/pf.conf
must reference the anchors once, a start is refused otherwise:
.Bd -literal -offset indent
rdr-anchor "iocell/*"
anchor "iocell/*"
.Ed
.Pp
Each forward also gets a
.Cm pass in
rule that is not
.Cm quick ,
so block rules after the anchor in
.Pa pf.conf
still decide.
On Linux the rules are a chain per jail,
.Li rdr- Ns Ar UUID ,
in the nftables table
.Li inet iocell ;
no other table is read or written.
Shared-IP jails are forwarded to their alias the same way.
)";

inline constexpr const char* kOciRuntime = R"(.Sh OCI RUNTIME
Called as
.Nm iocell-runtime
(a link to
.Nm
installed beside it), the binary is an OCI runtime with runc's command line, for podman and containerd:
.Bd -literal -offset indent
podman --runtime /usr/local/sbin/iocell-runtime --cgroup-manager cgroupfs run --rm IMAGE echo hi
.Ed
.Pp
Its commands are
.Cm create ,
.Cm start ,
.Cm state ,
.Cm kill ,
.Cm delete ,
.Cm exec ,
.Cm pause ,
.Cm resume ,
.Cm list
and
.Cm features ,
with the global options
.Fl -root ,
.Fl -log
and
.Fl -log-format .
The bundle's
.Pa config.json
is mapped onto the host's runtime and limits plugins; a field without an equivalent, such as
.Li linux.uidMappings ,
is refused with an error naming it, exit 2.
Errors go to the
.Fl -log
file as runc writes them.
.Pa docs/oci-runtime.md
lists every field.
)";

inline constexpr const char* kMigration = R"(.Sh MIGRATING FROM IOCELL 2 AND IOCAGE 1
.Nm Cm migrate
finds the jails of the shell iocell 2.x and of iocage 1.x and writes a
.Pa config.json
for each, keeping its UUID, tag and every property that is still valid.
A value that fails today's validation, such as
.Cm ip4_addr Ns = Ns Li AUTOIP4 ,
is reported and left out, so the jail gets the default for it.
Renamed properties are carried over:
.Cm istemplate
becomes
.Cm template ,
iocage's
.Cm hostname
becomes
.Cm host_hostname ,
.Cm type Ns = Ns Li jail
becomes a thickjail or, for a clone, a clonejail, and a
.Cm vnet
of
.Ql -
means on.
A tag already used by another jail gets the first eight digits of the UUID appended.
With
.Fl -dry-run
it prints what it would do and changes nothing.
.Pp
The shell iocell kept each jail's properties in a UCL file
.Pa config
in the jail's directory under
.Pa /iocell/jails ,
the same directory
.Nm
uses, so these jails do not move:
.Pa config.json
is written beside
.Pa config .
Its templates, named by tag under
.Pa /iocell/templates ,
are renamed to their UUID.
Values in
.Pa /iocell/.default
that differ from the built-in ones become system defaults.
.Pp
iocage 1.x kept properties in ZFS user properties
.Li org.freebsd.iocage:\& Ns Ar name
on
.Ar POOL Ns /iocage/jails/ Ns Ar UUID ,
read with one
.Xr zfs 8
.Cm get
call.
Its jails do move: each dataset is renamed to
.Ar POOL Ns /iocell/jails/ Ns Ar UUID
.Pq templates to Pa templates/ ,
which needs the jail stopped and the iocell root on the same pool
.Pq Nm Cm activate Ar POOL .
The
.Pa config.json
is written into the jail's directory before the rename, so an interrupted run leaves either the old jail, which the next run migrates, or a complete new one.
User properties set on
.Ar POOL Ns /iocage/.defaults
become system defaults unless
.Nm
already has a default for them.
.Pp
.Nm Cm migrate
deletes nothing and never copies a jail's files:
the UCL files, the ZFS user properties,
.Pa /iocell/tags ,
.Pa /iocage/tags
and the rest of
.Ar POOL Ns /iocage
stay until you remove them.
Clones of iocage releases keep their origin snapshots under
.Ar POOL Ns /iocage/releases ,
which therefore cannot be destroyed until those jails are promoted or destroyed.
A basejail's shared system directories are attached from the release under
.Pa /iocell/releases
at its next start.
The shell iocell's fetched releases are already there, in the layout
.Nm
uses; iocage's are not, so fetch those with
.Nm Cm fetch
first.
Jails on another pool are not moved between pools; activate that pool, or copy them with
.Xr zfs 8
send and receive first.
.Pp
Python iocage (1.x up to 1.13, TrueNAS CORE) keeps a
.Pa config.json
per jail in
.Pa /iocage/jails/ Ns Ar NAME
.Pq templates in Pa templates/ ,
found on the pool's
.Pa iocage
dataset or, with
.Fl -path Ar DIR ,
in any directory laid out that way.
Each jail is copied into a new iocell jail with a new UUID, tagged with its name; iocage's datasets are only read, so iocage keeps working until you remove them.
Its booleans (0/1, yes/no, on/off) become iocell's spelling,
.Cm depends
names become UUIDs,
.Cm boot
and
.Cm priority
carry over, a basejail stays one (on the release of its
.Cm release
without the patch level), and every other jail becomes a thickjail: clones of iocage releases and templates arrive as whole copies.
iocage's releases that
.Nm
lacks are copied to
.Pa /iocell/releases .
Its fstab lines that mount into the jail follow the new root; its own release mounts are left to the basejail type.
Keys with no iocell equivalent are reported unless they hold iocage's default.
Migrated jails are listed in
.Pa /iocell/migrated-iocage.json ,
so a second run skips them.
)";

inline constexpr const char* kEnvironment = R"(.Sh ENVIRONMENT
.Bl -tag -width Ds
.It Ev IOCELL_ROOT
The state root when
.Fl -root
is not given.
.It Ev IOCELL_PLUGIN_PATH
Colon-separated directories searched for plugins before the build tree's
.Pa plugins
directory and the installed
.Pa lib/iocell/plugins .
.It Ev IOCELL_STORAGE
The storage backend of a new root when
.Fl -storage
is not given.
.El
)";

inline constexpr const char* kFiles = R"(.Sh FILES
Paths are relative to the state root,
.Pa /iocell
on FreeBSD.
.Bl -tag -width Ds
.It Pa iocell.json
The storage backend the root uses.
.It Pa defaults.json
The system-wide defaults.
.It Pa releases/ Ns Ar RELEASE Ns Pa /root
A fetched release, the source of new jails;
.Pa download/ Ns Ar RELEASE
holds its distribution sets.
.It Pa jails/ Ns Ar UUID Ns Pa /config.json
Every property of the jail, written atomically.
.It Pa jails/ Ns Ar UUID Ns Pa /root
The jail's files.
.It Pa jails/ Ns Ar UUID Ns Pa /fstab
Extra mounts, in
.Xr fstab 5
format.
.It Pa jails/ Ns Ar UUID Ns Pa /recorded
Changes captured by
.Cm record .
.It Pa templates/ Ns Ar UUID
Templates, laid out as jails.
.It Pa base/ Ns Ar RELEASE
The shared system directories of basejails.
.It Pa packages/
Packages made by
.Cm package ,
with their SHA-256 files.
.It Pa images/
Exported jails.
.It Pa log/iocell.log
A log of every operation.
.It Pa log/ Ns Ar UUID Ns Pa -console.log
What the jail's start and stop commands printed.
.El
)";

inline constexpr const char* kExitDetails = R"(.Pp
A command over several jails goes on after a failure, reports each one on standard error, and exits 4 when at least one jail succeeded, else with the code of the last failure.
)";

struct Example {
  std::string command;  ///< shown only when the binary has this command
  std::string what;
  std::string line;     ///< the arguments of .Dl
};

inline const std::vector<Example>& examples() {
  static const std::vector<Example> e = {
      {"fetch", "Fetch the host's release, then a given one:", "iocell fetch\n.Dl iocell fetch release=14.3-RELEASE"},
      {"create", "Create a thin jail with a tag and an address:", "iocell create -c tag=myjail ip4_addr=\"em0|10.1.1.10/24\""},
      {"start", "Start a jail by tag, or by a UUID prefix:", "iocell start www01\n.Dl iocell start 26e8"},
      {"set", "Turn VNET off for every jail created from now on:", "iocell set vnet=off default"},
      {"get", "Show every property of a jail:", "iocell get all www01"},
      {"set", "Forward port 80 of a host address to a jail (see PORT FORWARDING):",
       "iocell set rdr=\"tcp(em0|203.0.113.5):80->80\" www01"},
      {"doctor", "Check the host before the first jail, or when one fails to start:", "iocell doctor"},
      {"set", "Limit a jail to 4G of memory and apply it at once:",
       "iocell set memoryuse=4G:deny rlimits=on www01\n.Dl iocell cap www01"},
      {"clone", "Clone a jail, or deploy a template:", "iocell clone www01 tag=www02\n.Dl iocell clone mytemplate tag=mynewjail"},
      {"update", "Patch a jail and, if the patch broke it, roll back to the snapshot the update took:",
       "iocell update www01\n.Dl iocell snaplist www01\n.Dl iocell rollback www01@ioc-update_2025-11-29_10:00:00"},
      {"list", "The UUIDs of all jails, for a script:", "iocell list -H | cut -f 2"},
      {"migrate", "See what migrating from iocage 1.x on pool tank would do:", "iocell migrate --dry-run --from iocage tank"},
  };
  return e;
}

inline constexpr const char* kSeeAlso = R"(.Sh SEE ALSO
.Xr cpuset 1 ,
.Xr pf.conf 5 ,
.Xr freebsd-update 8 ,
.Xr jail 8 ,
.Xr jexec 8 ,
.Xr jls 8 ,
.Xr pfctl 8 ,
.Xr pkg 8 ,
.Xr rctl 8 ,
.Xr zfs 8
.Sh HISTORY
.Nm
began as a shell script, a fork of iocage 1.x.
This implementation keeps its command syntax.
)";

}  // namespace iocell::cli
