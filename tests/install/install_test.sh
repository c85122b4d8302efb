#!/usr/bin/env bash
# zxvp installed into an empty prefix is enough to build a platform of one's own:
#   install_test.sh BUILD_DIR SOURCE_DIR
# installs BUILD_DIR into a temporary prefix, builds platforms/examples/socket_initiator against
# it with find_package(zxvp) alone (a public header missing from the install fails here), runs
# it, and builds and runs a guest program with the installed zxvp-cc and zxvp.
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
bash "$source/tests/install/build_example.sh" "$source" "$scratch/prefix" "$scratch/example"

"$scratch/prefix/bin/zxvp-cc" -O2 "$source/sw/sdk/examples/hello.c" -o "$scratch/hello.elf"
"$scratch/prefix/bin/zxvp" run "$scratch/hello.elf" installed >"$scratch/hello.out" 2>/dev/null
grep -q "installed" "$scratch/hello.out" || { echo "hello.elf said:"; cat "$scratch/hello.out"; exit 1; }
test -f "$scratch/prefix/share/zxvp/platforms/default.yaml"
echo "install test: the example and a guest program built from the prefix alone"
