#!/bin/sh
# Installs what building and testing iocell needs on Debian 12 (as root).
# FreeBSD equivalents (pkg): cmake ninja boost-libs nlohmann-json spdlog
# libarchive curl googletest.
set -eu
packages="cmake ninja-build g++ clang libc++-dev libc++abi-dev pkg-config ccache
  libboost-dev libboost-filesystem-dev libboost-program-options-dev
  nlohmann-json3-dev libspdlog-dev libarchive-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  btrfs-progs zfs-fuse busybox-static iproute2 nftables podman runc containerd libarchive-tools xz-utils curl python3 mandoc util-linux procps zsh fish radvd"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
