#!/bin/sh
# iocell on a real FreeBSD host: the FreeBSD counterpart of the Linux
# integration tests (tests/integration/). It cannot run on the Linux machines
# the project is built on; .github/workflows/freebsd.yml runs it in a FreeBSD
# VM. Run it only on a disposable host, as root:
#
#   IOCELL=/path/to/iocell sh tests/freebsd/integration.sh
#
# What it does, in order: a file-backed ZFS pool activated for iocell; fetch
# of the host's release (base.txz only); a thick jail with a shared IP on a
# private loopback interface; a clone jail; a basejail; a template and a jail
# cloned from it; an empty jail; a VNET jail on a bridge iocell creates and
# destroys; warm restart; resource limits (or, on a kernel with RACCT
# disabled, the error that says how to enable it); snapshots and rollback;
# record and package; export and import; chroot; clean-up of everything it
# made. It touches no real network: addresses are in 10.23/10.24, on lo1 and
# on a bridge with no physical member.
#
# Environment:
#   IOCELL          the iocell binary (default: iocell in PATH)
#   IOCELL_RELEASE  release to fetch (default: the host's, e.g. 14.3-RELEASE)
#   IOCELL_FTPHOST  mirror (default: iocell's own default)
#   IOCELL_KEEP=1   keep the pool and jails for a look afterwards
#
# Output: one "ok"/"FAIL" line per check, then "N passed, M failed"; the exit
# status is 0 only when nothing failed.

set -u

IOCELL=${IOCELL:-iocell}
POOL=iocelltest
IMG=/var/tmp/iocelltest.img
LO=lo1
BRIDGE=bridge9
passed=0
failed=0

say() { printf '\n=== %s\n' "$*"; }
ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	what=$1
	shift
	if out=$("$@" 2>&1); then ok "$what"; else bad "$what: $* -> $out"; fi
}

# refuse DESCRIPTION PATTERN COMMAND...: the command must fail and say PATTERN.
refuse() {
	what=$1 pattern=$2
	shift 2
	if out=$("$@" 2>&1); then
		bad "$what: $* succeeded"
	elif printf '%s' "$out" | grep -q -- "$pattern"; then
		ok "$what"
	else
		bad "$what: $* failed without '$pattern': $out"
	fi
}

# expect DESCRIPTION CONDITION...: a test(1) or other condition.
expect() {
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

ioc() { "$IOCELL" "$@"; }
uuid_of() { ioc get uuid "$1"; }
jid_of() { jls -j "ioc-$(uuid_of "$1")" jid 2>/dev/null; }
running() { jls -j "ioc-$(uuid_of "$1")" jid >/dev/null 2>&1; }
mounts_under() { mount -p | awk -v p="/iocell/jails/$1/root/" 'index($2, p) == 1 { print $2 }'; }

cleanup() {
	say "clean-up"
	if [ "${IOCELL_KEEP:-0}" = 1 ]; then
		echo "IOCELL_KEEP=1: leaving pool $POOL ($IMG) and its jails"
		return
	fi
	for tag in thick thin base fromtpl empty vnetj limited imported; do
		ioc stop "$tag" >/dev/null 2>&1
		ioc destroy -f "$tag" >/dev/null 2>&1
	done
	ioc destroy -f tpl >/dev/null 2>&1
	ioc clean >/dev/null 2>&1
	zpool destroy -f "$POOL" 2>/dev/null
	rm -f "$IMG"
	ifconfig "$LO" destroy 2>/dev/null
	ifconfig "$BRIDGE" destroy 2>/dev/null
	printf '\n%d passed, %d failed\n' "$passed" "$failed"
}

# ---------------------------------------------------------------------------
say "preconditions"
[ "$(id -u)" = 0 ] || { echo "run as root"; exit 2; }
[ "$(uname -s)" = FreeBSD ] || { echo "this test is for FreeBSD hosts"; exit 2; }
if zpool list -H -o name "$POOL" >/dev/null 2>&1; then
	echo "pool $POOL exists already: not a disposable host, or a previous run left it; remove it first"
	exit 2
fi
trap cleanup EXIT
kldload -n zfs if_bridge if_epair 2>/dev/null
REL=${IOCELL_RELEASE:-$(freebsd-version -u | sed 's/-p[0-9]*$//')}
VNET=$(sysctl -n kern.features.vimage 2>/dev/null || echo 0)
RACCT=$(sysctl -n kern.racct.enable 2>/dev/null || echo 0)
echo "release $REL, vimage=$VNET, racct=$RACCT"
check "iocell runs" ioc version

# ---------------------------------------------------------------------------
say "a file-backed pool for iocell"
check "image file" truncate -s 6g "$IMG"
check "zpool create" zpool create -O compression=lz4 "$POOL" "$IMG"
check "iocell activate" ioc activate "$POOL"
check "the iocell datasets exist" zfs list "$POOL/iocell/jails"
expect "iocell's root is mounted at /iocell" test -d /iocell/jails

# ---------------------------------------------------------------------------
say "fetch"
fetch_args="release=$REL ftpfiles=base.txz"
[ -n "${IOCELL_FTPHOST:-}" ] && fetch_args="$fetch_args ftphost=$IOCELL_FTPHOST"
# shellcheck disable=SC2086 # fetch_args is a list of words
check "fetch $REL" ioc fetch -q $fetch_args
expect "the release tree has /bin/sh" test -x "/iocell/releases/$REL/root/bin/sh"
check "list -r shows it" sh -c "$IOCELL list -r -H | grep -q '$REL'"

# ---------------------------------------------------------------------------
say "thick jail, shared IP"
ifconfig "$LO" create >/dev/null 2>&1
check "create thick" ioc create tag=thick release="$REL" vnet=off ip4_addr="$LO|10.23.0.11/32"
T=$(uuid_of thick)
check "start thick" ioc start thick
expect "jls knows ioc-$T" running thick
expect "the alias is on $LO" sh -c "ifconfig $LO | grep -q 10.23.0.11"
check "exec runs inside" ioc exec thick /bin/hostname
check "the jail sees its own address only" sh -c "$IOCELL exec thick ifconfig $LO | grep -q 10.23.0.11"
check "devfs is mounted with a ruleset" sh -c "mount -p | grep -q '/iocell/jails/$T/root/dev'"
check "jail -m changes allow_raw_sockets live" ioc set allow_raw_sockets=1 thick
expect "the kernel has it" sh -c "jls -j ioc-$T allow.raw_sockets | grep -q true"
JID1=$(jid_of thick)
check "warm restart" ioc restart thick
expect "restart kept the jail (same JID)" test "$(jid_of thick)" = "$JID1"
check "stop thick" ioc stop thick
expect "the jail is gone" sh -c "! jls -j ioc-$T jid"
expect "the alias is gone" sh -c "! ifconfig $LO | grep -q 10.23.0.11"
expect "nothing is mounted under its root" test -z "$(mounts_under "$T")"
refuse "devfs_ruleset=0 is refused" "devfs_ruleset" sh -c "$IOCELL set devfs_ruleset=0 thick && $IOCELL start thick"
ioc set devfs_ruleset=4 thick >/dev/null 2>&1

# ---------------------------------------------------------------------------
say "clone jail, basejail, template, empty jail"
check "create -c" ioc create -c tag=thin release="$REL" vnet=off ip4_addr=none
check "start thin" ioc start thin
check "stop thin" ioc stop thin
check "create -b" ioc create -b tag=base release="$REL" vnet=off ip4_addr=none
check "start base" ioc start base
check "the basejail sees the release's /bin" ioc exec base test -x /bin/sh
check "stop base" ioc stop base
check "create a jail to become a template" ioc create -c tag=tpl release="$REL" vnet=off ip4_addr=none
check "chroot into the stopped jail writes inside it" ioc chroot tpl /bin/sh -c 'echo from-template > /etc/motd.template-mark'
check "set template=yes" ioc set template=yes tpl
refuse "a template does not start" "template" ioc start tpl
check "clone the template" ioc clone tpl tag=fromtpl
check "start the clone" ioc start fromtpl
check "the clone has the template's file" ioc exec fromtpl test -f /etc/motd.template-mark
check "stop the clone" ioc stop fromtpl
check "create -e" ioc create -e tag=empty vnet=off ip4_addr=none exec_start=none exec_stop=none
check "start the empty jail" ioc start empty
expect "the empty jail runs" running empty
check "stop the empty jail" ioc stop empty

# ---------------------------------------------------------------------------
if [ "$VNET" = 1 ]; then
	say "VNET jail on a bridge iocell creates"
	ifconfig "$BRIDGE" destroy >/dev/null 2>&1
	check "create vnetj" ioc create -c tag=vnetj release="$REL" vnet=on interfaces="vnet0:$BRIDGE" createbridge=on \
		ip4_addr="vnet0|10.24.0.11/24" defaultrouter=10.24.0.1 allow_raw_sockets=1
	V=$(uuid_of vnetj)
	check "start vnetj" ioc start vnetj
	expect "the VNET jail has its own stack" sh -c "jls -j ioc-$V vnet | grep -q new"
	expect "the bridge exists" ifconfig "$BRIDGE"
	expect "iocell marked the bridge as its own" sh -c "ifconfig $BRIDGE | grep -q 'description: created by iocell'"
	MAC=$(ioc get vnet0_mac vnetj)
	expect "vnet0_mac was derived and saved" test "$MAC" != none
	check "the host end is a bridge member" sh -c "ifconfig $BRIDGE | grep -q 'member: vnet0_'"
	check "vnet0 inside has the address" sh -c "$IOCELL exec vnetj ifconfig vnet0 | grep -q 10.24.0.11"
	ifconfig "$BRIDGE" inet 10.24.0.1/24 up
	check "host to jail over the bridge" ping -c 1 -t 5 10.24.0.11
	check "jail to host over the bridge" ioc exec vnetj ping -c 1 -t 5 10.24.0.1
	check "warm restart keeps the network" ioc restart vnetj
	check "still reachable after restart" ping -c 1 -t 5 10.24.0.11
	check "stop vnetj" ioc stop vnetj
	expect "the host end is gone" sh -c "! ifconfig -l | tr ' ' '\n' | grep -q '^vnet0_'"
	expect "iocell destroyed its empty bridge" sh -c "! ifconfig $BRIDGE"
	check "start again" ioc start vnetj
	expect "the MAC stayed the same" test "$(ioc get vnet0_mac vnetj)" = "$MAC"
	check "stop again" ioc stop vnetj
	ifconfig "$BRIDGE" create >/dev/null 2>&1
	check "a foreign bridge" ifconfig "$BRIDGE" up
	check "start on a bridge iocell did not make" ioc start vnetj
	check "stop" ioc stop vnetj
	expect "iocell left the foreign bridge alone" ifconfig "$BRIDGE"
	ifconfig "$BRIDGE" destroy
else
	say "VNET: skipped, this kernel has no VIMAGE"
	refuse "vnet=on is refused with a reason" "VIMAGE" ioc create -c tag=vnetj release="$REL" vnet=on start=1
fi

# ---------------------------------------------------------------------------
say "resource limits"
check "create limited" ioc create -c tag=limited release="$REL" vnet=off ip4_addr=none cpuset=0
check "set limits" ioc set rlimits=on memoryuse=1G:deny pcpu=50:log limited
L=$(uuid_of limited)
if [ "$RACCT" = 1 ]; then
	check "start limited" ioc start limited
	expect "rctl has the memory rule" sh -c "rctl jail:ioc-$L | grep -q memoryuse:deny"
	expect "rctl has the pcpu rule" sh -c "rctl jail:ioc-$L | grep -q pcpu:log=50"
	check "iocell limits lists them" sh -c "$IOCELL limits limited | grep -q memoryuse"
	check "iocell inuse" sh -c "$IOCELL inuse limited | grep -q memoryuse"
	check "uncap" ioc uncap limited
	expect "no rule is left" test -z "$(rctl jail:ioc-"$L")"
	check "cap again" ioc cap limited
	check "stop limited" ioc stop limited
	expect "stop removed the rules" test -z "$(rctl jail:ioc-"$L")"
else
	refuse "rlimits=on without RACCT says how to enable it" "kern.racct.enable=1" ioc start limited
	expect "the failed start left no jail" sh -c "! jls -j ioc-$L jid"
	check "rlimits=off" ioc set rlimits=off limited
	check "start limited" ioc start limited
	check "stop limited" ioc stop limited
fi
check "rlimits=off for the cpuset check" ioc set rlimits=off limited
check "start limited" ioc start limited
expect "cpuset=0 pinned the jail to CPU 0" sh -c "cpuset -g -j $(jid_of limited) | grep -q 'mask: 0\$'"
check "stop limited" ioc stop limited

# ---------------------------------------------------------------------------
say "snapshots"
check "snapshot" ioc snapshot thick@before
check "snaplist shows it" sh -c "$IOCELL snaplist -H thick | grep -q before"
check "change a file" ioc chroot thick /bin/sh -c 'echo changed > /etc/iocell-test-mark'
check "rollback" ioc rollback -f thick@before
expect "the change is gone" test ! -e "/iocell/jails/$T/root/etc/iocell-test-mark"
check "snapremove" ioc snapremove thick@before

# ---------------------------------------------------------------------------
say "record and package"
check "record start" ioc record start thin
check "start thin" ioc start thin
check "a change while recording" ioc exec thin /bin/sh -c 'echo recorded > /root/recorded-file'
check "stop thin" ioc stop thin
check "record stop" ioc record stop thin
TH=$(uuid_of thin)
expect "the change is in recorded/" test -f "/iocell/jails/$TH/recorded/root/recorded-file"
check "package" ioc package thin
expect "the package exists" test -f "/iocell/packages/$TH.tar.xz"
expect "with its checksum" test -f "/iocell/packages/$TH.sha256"
expect "the checksum matches" sh -c "test \"\$(sha256 -q /iocell/packages/$TH.tar.xz)\" = \"\$(cut -d' ' -f1 /iocell/packages/$TH.sha256)\""

# ---------------------------------------------------------------------------
say "export and import"
check "export thick" ioc export thick
expect "an image exists" sh -c "ls /iocell/images/ | grep -q '^$T'"
check "import it" ioc import "$T" tag=imported
check "start the imported jail" ioc start imported
expect "a new UUID" test "$(uuid_of imported)" != "$T"
check "stop the imported jail" ioc stop imported

# ---------------------------------------------------------------------------
say "boot order"
check "boot=on" ioc set boot=on priority=10 thick
check "rcboot starts it" ioc rcboot
expect "thick runs" running thick
check "rcshutdown stops it" ioc rcshutdown
expect "thick is down" sh -c "! jls -j ioc-$T jid"

# The EXIT trap cleans up and prints the totals; the exit status says it all.
trap - EXIT
cleanup
[ "$failed" = 0 ]
