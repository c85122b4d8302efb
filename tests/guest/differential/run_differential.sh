#!/usr/bin/env bash
# The hart against a second implementation of the ISA, qemu-riscv64 (Debian's qemu-user): the same
# random instruction sequences (sequence_generator) linked once with zxvp-cc and run by zxvp, once
# as a static Linux program and run by qemu-riscv64; both print the registers and memory every
# sequence left, and the outputs must be identical.
#   run_differential.sh BUILD_DIR [SEED [BATCHES [SEQUENCES [LENGTH]]]]
# CI runs a fixed seed; a longer run: run_differential.sh build/release 7 100 1000 60
set -euo pipefail

build=${1:?usage: run_differential.sh BUILD_DIR [SEED [BATCHES [SEQUENCES [LENGTH]]]]}
seed=${2:-1}
batches=${3:-4}
sequences=${4:-1000}
length=${5:-40}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in qemu-riscv64 riscv64-linux-gnu-gcc; do
  command -v "$tool" >/dev/null || { echo "run_differential: $tool is missing (qemu-user, gcc-riscv64-linux-gnu)" >&2; exit 1; }
done

failed=0
for ((batch = 0; batch < batches; ++batch)); do
  batch_seed=$((seed * 1000 + batch))
  "$build/tests/sequence_generator" "$batch_seed" "$sequences" "$length" > "$work/sequences.S"
  "$build/zxvp-cc" -O2 "$here/main.c" "$work/sequences.S" -o "$work/zxvp.elf"
  riscv64-linux-gnu-gcc -static -O2 "$here/main.c" "$work/sequences.S" -o "$work/linux.elf"
  qemu-riscv64 "$work/linux.elf" > "$work/qemu.txt"
  "$build/zxvp" run "$work/zxvp.elf" > "$work/zxvp.txt" 2> "$work/zxvp.log" || {
    echo "run_differential: zxvp failed on batch $batch (seed $batch_seed):" >&2
    cat "$work/zxvp.log" >&2
    failed=1
    continue
  }
  if ! cmp -s "$work/qemu.txt" "$work/zxvp.txt"; then
    echo "run_differential: batch $batch (seed $batch_seed) differs; first difference:" >&2
    diff "$work/qemu.txt" "$work/zxvp.txt" | head -4 >&2
    first=$(diff "$work/qemu.txt" "$work/zxvp.txt" | sed -n 's/^< \([0-9]*\) .*/\1/p' | head -1)
    echo "the sequence (zxvp_sequence_$first):" >&2
    awk -v name="zxvp_sequence_$first:" '$0 == name {p=1} p {print} p && /ret$/ {exit}' \
      "$work/sequences.S" >&2
    failed=1
  fi
done
if ((failed)); then exit 1; fi
echo "run_differential: $((batches * sequences)) sequences of $length instructions agree with qemu-riscv64 (seed $seed)"
