#!/bin/sh
# The whole test suite: builds iocell, runs every test (unit, FreeBSD
# transcripts, end-to-end, Linux integration as root), then the unit and
# transcript tests again under AddressSanitizer and UBSan.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
sh tests/host-setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
# A compiler cache, when the machine has one, makes a rerun on the same
# machine rebuild only what changed.
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOCELL_PLUGIN_SELECTION= $launcher >/dev/null
ninja -C build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DIOCELL_SANITIZE=ON -DIOCELL_PLUGIN_SELECTION= $launcher >/dev/null
ninja -C build-asan -j"$jobs" iocell_unit_tests iocell_transcript_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j"$jobs" --output-on-failure -L 'unit|transcript'
