#!/usr/bin/env python3
"""Writes the hostile archives of iocell's import tests (packages and tar
images). Each tries to write outside the directory it is extracted into, or
to plant something a jail must not get; tests/e2e/data_hostile.cpp checks
that import refuses every one, names the entry, and leaves nothing behind.

The files are committed; run this script (python3, no other dependency) to
make them again. Entries are fixed: same bytes on every run.
"""
import io
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = "/tmp/iocell-hostile-target"  # a directory the tests create and watch


def entry(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, major=0, minor=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = 1700000000
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.linkname = link
    info.devmajor, info.devminor = major, minor
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(name, entries):
    with tarfile.open(os.path.join(HERE, name), "w:xz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, data)


def ok():
    return entry("./etc/harmless.conf", data=b"fine\n")

# "..": climbs out of the jail's root.
write("dotdot.tar.xz", [ok(), entry("./../../../../../../../../../tmp/iocell-hostile-dotdot", data=b"pwned\n")])
# An absolute path: written wherever it names on the host.
write("absolute.tar.xz", [ok(), entry("/tmp/iocell-hostile-absolute", data=b"pwned\n")])
# A symlink to a host directory, then a file written through it.
write("symlink-then-write.tar.xz", [
    ok(),
    entry("./etc/evil", tarfile.SYMTYPE, link=TARGET),
    entry("./etc/evil/pwned", data=b"pwned\n"),
])
# The same with a relative link that climbs out.
write("symlink-relative-then-write.tar.xz", [
    entry("./lnk", tarfile.SYMTYPE, link="../../../../../../../../../../tmp/iocell-hostile-target"),
    entry("./lnk/pwned", data=b"pwned\n"),
])
# A file under a directory the jail's tree already has as a symlink to the
# host (planted in the target, see the test): etc/link-out -> TARGET.
write("through-planted-symlink.tar.xz", [ok(), entry("./etc/link-out/pwned", data=b"pwned\n")])
# A hard link to a host file: the jail could then write the host's file.
write("hardlink-absolute.tar.xz", [ok(), entry("./etc/shadow-link", tarfile.LNKTYPE, link="/etc/shadow")])
write("hardlink-dotdot.tar.xz", [ok(), entry("./etc/passwd-link", tarfile.LNKTYPE, link="../../../../../../../../../etc/passwd")])
# A hard link through a symlink the archive made a moment before.
write("hardlink-through-symlink.tar.xz", [
    entry("./l", tarfile.SYMTYPE, link=TARGET),
    entry("./h", tarfile.LNKTYPE, link="l/secret"),
])
# Device nodes: raw memory and a disk inside a jail's tree.
write("device-char.tar.xz", [ok(), entry("./dev/mem2", tarfile.CHRTYPE, mode=0o600, major=1, minor=1)])
write("device-block.tar.xz", [ok(), entry("./var/disk0", tarfile.BLKTYPE, mode=0o600, major=8, minor=0)])
# A bomb: 96 MiB of zeros in a few kilobytes of xz (the import must hold it
# to the size its manifest declares and to the target's free space).
write("bomb.tar.xz", [ok(), entry("./var/bomb", data=bytes(96 << 20))])
