#!/bin/sh
# Quick start on a fresh Debian 12 machine, as root: installs what is
# missing, builds iocell, and runs the demo (docs/demo.sh).
set -eu
cd "$(dirname "$0")/.."
sh tests/host-setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build iocell iocell-plugins
exec sh docs/demo.sh build/bin/iocell
