#!/bin/sh
# Builds a tiny "release" from Debian's busybox-static in the FreeBSD
# distribution layout: DIR/base.txz and DIR/MANIFEST (6 tab-separated
# fields: file, sha256, number of entries, dist name, description, default).
# Usage: make-busybox-release.sh DIR
set -eu
out=$1
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "busybox-static is needed (apt-get install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/tree
mkdir -p "$tree/bin" "$tree/sbin" "$tree/etc" "$tree/root" "$tree/tmp" "$tree/var/log" "$tree/usr/bin" "$tree/dev" "$tree/proc" "$tree/sys"
chmod 1777 "$tree/tmp"
cp "$busybox" "$tree/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$tree/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$tree/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$tree/etc/group"
printf '#!/bin/sh\necho "rc: $(hostname) is up"\n' > "$tree/etc/rc"
printf '#!/bin/sh\necho "rc.shutdown: $(hostname) going down"\n' > "$tree/etc/rc.shutdown"
chmod 755 "$tree/etc/rc" "$tree/etc/rc.shutdown"
mkdir -p "$out"
tar -C "$tree" --numeric-owner -cJf "$out/base.txz" .
entries=$(tar -tJf "$out/base.txz" | wc -l)
sum=$(sha256sum "$out/base.txz" | cut -d' ' -f1)
printf 'base.txz\t%s\t%s\tbase\t"Base system (MANDATORY)"\ton\n' "$sum" "$entries" > "$out/MANIFEST"
