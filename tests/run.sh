#!/bin/sh
# The whole test suite: builds iocell, runs every test (unit, FreeBSD
# transcripts, end-to-end, Linux integration as root), then the unit and
# transcript tests again under AddressSanitizer and UBSan (a GCC Debug
# build), the unit tests built with clang, and the plugin-boundary test
# built with clang and libc++. Warnings are errors in every leg.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
sh tests/host-setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
# A compiler cache, when the machine has one, makes a rerun on the same
# machine rebuild only what changed.
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
common="-G Ninja -DIOCELL_WERROR=ON -DIOCELL_PLUGIN_SELECTION= $launcher"

cmake -S . -B build $common -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600

cmake -S . -B build-asan $common -DCMAKE_BUILD_TYPE=Debug -DIOCELL_SANITIZE=ON >/dev/null
ninja -C build-asan -j"$jobs" iocell_unit_tests iocell_transcript_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j"$jobs" --output-on-failure -L 'unit|transcript'

# clang with libstdc++: the whole product and the unit tests.
cmake -S . -B build-clang $common -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ >/dev/null
ninja -C build-clang -j"$jobs" iocell iocell-plugins iocell_unit_tests iocell-boundary-host
ctest --test-dir build-clang -j"$jobs" --output-on-failure -L unit

# clang with libc++ (FreeBSD's toolchain): Debian's Boost.Program_options,
# spdlog and GoogleTest are built for libstdc++, so only the SDK and the
# plugin-boundary test, which needs none of them.
cmake -S . -B build-libcxx $common -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS=-stdlib=libc++ -DCMAKE_EXE_LINKER_FLAGS=-stdlib=libc++ -DCMAKE_MODULE_LINKER_FLAGS=-stdlib=libc++ \
  -DIOCELL_BOUNDARY_ONLY=ON >/dev/null
ninja -C build-libcxx -j"$jobs"
ctest --test-dir build-libcxx --output-on-failure
