#!/bin/sh
# The README's demo: a real tour on the embedded storage with a tiny local
# release. State goes to a temporary root; every network object lives in a
# private network namespace, so nothing appears on the host's network.
# Usage: demo.sh [path/to/iocell]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
iocell=$(realpath "${1:-$here/../build/bin/iocell}")
demo=${IOCELL_DEMO_DIR:-/tmp/iocell-demo}
release=1.36-BUSYBOX

if [ -e "$demo" ]; then
  [ -f "$demo/.iocell-demo" ] || { echo "$demo exists and is not a previous demo; set IOCELL_DEMO_DIR" >&2; exit 1; }
  "$iocell" --root "$demo/root" stop ALL >/dev/null 2>&1 || true
  # Thin jails on the dir storage keep their roots mounted while they
  # exist: unmount what the last demo left (deepest first), then remove it.
  awk -v d="$demo/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do umount "$m"; done
  rm -rf "$demo"
fi
mkdir -p "$demo/www"
touch "$demo/.iocell-demo"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m+ iocell %s\033[0m\n' "$*"; "$iocell" --root "$demo/root" "$@"; }

echo "== a tiny release from busybox-static, served on 127.0.0.1"
sh "$here/make-busybox-release.sh" "$demo/www/$release"
python3 -m http.server --bind 127.0.0.1 0 --directory "$demo/www" >"$demo/http.log" 2>&1 &
server=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$demo/http.log" | head -n1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the loopback HTTP server did not start" >&2; exit 1; }

echo "== fetch (MANIFEST checked, one streaming pass)"
step fetch release=$release ftphost=http://127.0.0.1:$port ftpdir=/$release/ ftpfiles=base.txz
step list -r

echo "== the jail types"
step create tag=thick
step create -c tag=thin
step create -b tag=base
step create -e tag=empty exec_start="/bin/sh -c 'echo empty jail up'"
step list

echo "== properties"
step set notes="demo jail" priority=10 thin
step get priority thin
step get notes thin
step set priority=200 thin || echo "(refused, nothing changed)"
step set vnet=off default
step defaults | grep '^vnet='

echo "== snapshots and clones"
step snapshot thin@before
step snaplist thin
step clone thin@before tag=thin2
step set template=yes thick
step list -t
step clone thick tag=from-template
step list

echo "== running jails, in a private network namespace"
# The forwarded port's client is a second namespace made in there, behind a
# veth pair: forwarded packets must arrive on an interface. /run is a tmpfs
# of that mount namespace, so `ip netns` leaves nothing in the host's /run.
unshare --net --mount --propagation private sh -eu -c '
  iocell() { printf "\n\033[1m+ iocell %s\033[0m\n" "$*"; "'"$iocell"'" --root "'"$demo/root"'" "$@"; }
  mount -t tmpfs tmpfs /run
  ip link set lo up
  ip link add bridge0 type bridge
  ip addr add 10.23.0.1/24 dev bridge0
  ip link set bridge0 up
  ip netns add client
  ip link add ext0 type veth peer name cl0 netns client
  ip addr add 192.0.2.1/24 dev ext0
  ip link set ext0 up
  ip -n client addr add 192.0.2.2/24 dev cl0
  ip -n client link set cl0 up
  echo 1 > /proc/sys/net/ipv4/ip_forward
  iocell create -c tag=web1 vnet=on interfaces=vnet0:bridge0 ip4_addr="vnet0|10.23.0.11/24" defaultrouter=10.23.0.1 allow_raw_sockets=1 "rdr=tcp(ext0|192.0.2.1):8080->80"
  iocell create -c tag=web2 vnet=on interfaces=vnet0:bridge0 ip4_addr="vnet0|10.23.0.12/24" defaultrouter=10.23.0.1 allow_raw_sockets=1
  iocell start web1 web2
  iocell list
  iocell exec web1 ping -c 2 10.23.0.12
  iocell exec web2 ping -c 1 10.23.0.1
  iocell exec web1 sh -c "mkdir -p /www && echo served by web1 > /www/index.html && httpd -p 80 -h /www </dev/null >/dev/null 2>&1"
  printf "\n\033[1m+ the client fetches 192.0.2.1:8080, forwarded to web1 port 80\033[0m\n"
  printf "GET / HTTP/1.0\r\n\r\n" | ip netns exec client busybox nc -w 3 192.0.2.1 8080 | grep "served by web1"
  iocell set memoryuse=64M:deny maxproc=50:deny rlimits=on web1
  iocell cap web1
  iocell limits web1
  iocell restart web1
  iocell exec web1 ip addr show vnet0
  iocell stop web1 web2
'

echo "== clean up"
step destroy -f web1 web2 from-template thin2
step list
echo
echo "demo state is in $demo (the next run of the demo replaces it)"
