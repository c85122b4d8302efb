#!/usr/bin/env bash
# Builds the example platform (platforms/examples/socket_initiator) against zxvp installed in
# PREFIX, in BUILD, and runs it: every status expected, the uncached rejection seen.
#   build_example.sh SOURCE_DIR PREFIX BUILD
set -euo pipefail
source=$1
prefix=$2
build=$3
# Only the prefix: no path of zxvp's tree or build reaches the example.
cmake -S "$source/platforms/examples/socket_initiator" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -Wno-dev >/dev/null
cmake --build "$build" >/dev/null
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$build/socket_initiator" >"$build/output.txt"
cat "$build/output.txt"
grep -q "vmo_write (uncached)  ZX_ERR_BAD_STATE" "$build/output.txt"
grep -q "every status as expected" "$build/output.txt"
