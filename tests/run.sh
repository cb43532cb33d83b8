#!/bin/sh
# The whole test suite: builds iocell, runs every test (unit, FreeBSD
# transcripts, end-to-end, Linux integration as root), then the unit and
# transcript tests again under AddressSanitizer and UBSan.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
sh tests/host-setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOCELL_PLUGIN_SELECTION= >/dev/null
ninja -C build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DIOCELL_SANITIZE=ON -DIOCELL_PLUGIN_SELECTION= >/dev/null
ninja -C build-asan -j"$jobs" iocell_unit_tests iocell_transcript_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j"$jobs" --output-on-failure -L 'unit|transcript'
