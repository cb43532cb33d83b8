#!/usr/bin/env python3
"""Writes the hostile OCI images of iocell's `create type=oci` tests, as
oci-archive tarballs. Each image has a harmless first layer and a hostile
second one (or a lie in its manifest); tests/e2e/types_oci_hostile.cpp
checks that create refuses every one, names what is at fault, writes nothing
outside the new jail's root and keeps no half-made jail.

The files are committed; run this script (python3, no other dependency) to
make them again. Entries are fixed: same bytes on every run.
"""
import gzip
import hashlib
import io
import json
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = "/tmp/iocell-oci-hostile-target"  # a directory the tests create and watch
MTIME = 1700000000


def entry(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, major=0, minor=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = 0o755 if kind == tarfile.DIRTYPE else mode
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.linkname = link
    info.devmajor, info.devminor = major, minor
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def tar_bytes(entries):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, data)
    return out.getvalue()


def blob(blobs, data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def image(name, layers, tamper=None):
    """layers: lists of entries; tamper(blobs, manifest_desc) may lie."""
    blobs = {}
    descs = []
    for i, entries in enumerate(layers):
        data = tar_bytes(entries)
        if i % 2:  # every other layer gzip-compressed, as registries ship them
            data = gzip.compress(data, mtime=0)
            descs.append(blob(blobs, data, "application/vnd.oci.image.layer.v1.tar+gzip"))
        else:
            descs.append(blob(blobs, data, "application/vnd.oci.image.layer.v1.tar"))
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": []}}
    cfg = blob(blobs, json.dumps(config, sort_keys=True).encode(), "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cfg, "layers": descs}
    mdesc = blob(blobs, json.dumps(manifest, sort_keys=True).encode(), "application/vnd.oci.image.manifest.v1+json")
    if tamper:
        tamper(blobs, descs)
    index = {"schemaVersion": 2, "manifests": [dict(mdesc, annotations={"org.opencontainers.image.ref.name": "latest"})]}
    files = [entry("oci-layout", data=json.dumps({"imageLayoutVersion": "1.0.0"}).encode()),
             entry("index.json", data=json.dumps(index, sort_keys=True).encode()),
             entry("blobs", tarfile.DIRTYPE), entry("blobs/sha256", tarfile.DIRTYPE)]
    for digest in sorted(blobs):
        files.append(entry("blobs/sha256/" + digest, data=blobs[digest]))
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(tar_bytes(files))


def ok():
    return [entry("etc", tarfile.DIRTYPE), entry("etc/harmless.conf", data=b"fine\n"),
            entry("etc/victim", data=b"lower layer\n")]


def hostile(name, entries, first=None):
    image(name, [first if first is not None else ok(), entries])


# ".." climbs out of the jail's root.
hostile("dotdot.tar", [entry("../../../../../../../../../tmp/iocell-oci-hostile-dotdot", data=b"pwned\n")])
# An absolute path: written wherever it names on the host.
hostile("absolute.tar", [entry("/tmp/iocell-oci-hostile-absolute", data=b"pwned\n")])
# A symlink to a host directory in one layer, a file written through it in the next.
hostile("symlink-then-write.tar", [entry("etc/evil/pwned", data=b"pwned\n")],
        first=ok() + [entry("etc/evil", tarfile.SYMTYPE, link=TARGET)])
# The same within one layer, with a relative link that climbs out.
hostile("symlink-relative-then-write.tar", [
    entry("lnk", tarfile.SYMTYPE, link="../../../../../../../../../.." + TARGET),
    entry("lnk/pwned", data=b"pwned\n")])
# Hard links to host files: the jail could then write the host's file.
hostile("hardlink-absolute.tar", [entry("etc/shadow-link", tarfile.LNKTYPE, link="/etc/shadow")])
hostile("hardlink-dotdot.tar", [entry("etc/passwd-link", tarfile.LNKTYPE, link="../../../../../../../../../etc/passwd")])
# Device nodes: raw memory and a disk inside a jail's tree.
hostile("device-char.tar", [entry("dev", tarfile.DIRTYPE), entry("dev/mem2", tarfile.CHRTYPE, mode=0o600, major=1, minor=1)])
hostile("device-block.tar", [entry("var", tarfile.DIRTYPE), entry("var/disk0", tarfile.BLKTYPE, mode=0o600, major=8, minor=0)])
# Whiteouts that name the parent, climb out, or start at the host's root.
hostile("whiteout-dotdot-name.tar", [entry("etc/.wh..", data=b"")])
hostile("whiteout-dotdot-path.tar", [entry("../../../../../../../../../tmp/iocell-oci-hostile-target/.wh.secret", data=b"")])
hostile("whiteout-absolute.tar", [entry("/tmp/iocell-oci-hostile-target/.wh.secret", data=b"")])
hostile("whiteout-empty-name.tar", [entry(".wh.", data=b"")])
# A whiteout below a symlink to the host: deleting through it would reach the host.
hostile("whiteout-through-symlink.tar", [entry("out/.wh.secret", data=b"")],
        first=ok() + [entry("out", tarfile.SYMTYPE, link=TARGET)])


# A layer whose bytes are not those its digest names.
def swap_layer(blobs, descs):
    digest = descs[1]["digest"][len("sha256:"):]
    data = bytearray(blobs[digest])
    data[-1] ^= 1
    blobs[digest] = bytes(data)


image("digest-mismatch.tar", [ok(), [entry("etc/other", data=b"x\n")]], tamper=swap_layer)

# The control: the same first layer and a harmless second one, which create
# accepts, so that every refusal above is for the hostile part.
image("control.tar", [ok(), [entry("etc/other", data=b"x\n")]])
