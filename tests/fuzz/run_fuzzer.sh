#!/usr/bin/env bash
# Builds the differential fuzzer (clang, libFuzzer, ASan + UBSan) and runs it for SECONDS
# (default 60) from the seed corpus in tests/fuzz/corpus, on a scratch copy of it.
#   bash tests/fuzz/run_fuzzer.sh [SECONDS] [LIBFUZZER OPTIONS...]
# A mismatch between the kernel model and the reference model, a broken invariant or a sanitizer
# report stops it with a crash-* file in build/fuzz/artifacts/ (with leak-*, timeout-*, oom-* and
# slow-unit-* files there too, never in the source tree), which reproduces with
#   ZXVP_FUZZ_TRACE=1 build/fuzz/tests/fuzz/vmo_fuzzer build/fuzz/artifacts/crash-...
# An input worth keeping goes into tests/fuzz/corpus under a name that says what it shows.
set -euo pipefail
seconds=${1:-60}
shift || true
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
if ! command -v clang++ >/dev/null; then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  echo "run_fuzzer: installing clang"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq clang >/dev/null
fi
cmake --preset fuzz -Wno-dev >/dev/null
cmake --build --preset fuzz -- -j"$(nproc)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/fuzz/corpus/* "$work/"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# Leaks are the asan suite's business; libFuzzer's own exit path is not clean.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# libFuzzer writes what it finds into the current directory unless told otherwise.
artifacts=$root/build/fuzz/artifacts/
mkdir -p "$artifacts"
echo "run_fuzzer: inputs that crash, leak, time out or run slow go to $artifacts"
# A fixed seed: the same inputs run after run (a slower machine runs a prefix of them).
status=0
build/fuzz/tests/fuzz/vmo_fuzzer -max_total_time="$seconds" -seed="${ZXVP_FUZZ_SEED:-1}" \
  -print_final_stats=1 -artifact_prefix="$artifacts" "$@" "$work" || status=$?
if [[ -n $(ls -A "$artifacts") ]]; then
  echo "run_fuzzer: $artifacts holds:"
  ls -lt "$artifacts"
fi
exit "$status"
