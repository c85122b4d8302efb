#!/usr/bin/env bash
# Installs what zxvp needs (Debian 12), builds it, then runs the built-in default or the tests.
#   bash sim/scripts/zxvp-build.sh run  [--preset P] [ZXVP ARGS...]   build, then `zxvp ARGS`
#   bash sim/scripts/zxvp-build.sh test [--preset P] [CTEST ARGS...]  build, then every test
# Presets (CMakePresets.json): release (default), debug, asan. Under CI=true, warnings are errors.
set -euo pipefail

mode=${1:-run}
shift || true
preset=release
if [[ ${1:-} == --preset ]]; then
  preset=${2:?--preset needs a name: release, debug or asan}
  shift 2
fi
case "$mode" in run|test) ;; *)
  echo "zxvp-build: unknown mode '$mode'; use 'run' or 'test'" >&2
  exit 2
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

packages=(
  g++ cmake ninja-build pkg-config
  libsystemc-dev
  libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
  libyaml-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox
  # The Debian package (cpack -G DEB: dpkg-shlibdeps finds what the binaries link with)
  dpkg-dev file
  # Guest programs: the RISC-V cross compiler and C library of zxvp-cc, the SDK and the examples
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  # The differential test of the RISC-V hart: static Linux builds run by qemu-riscv64
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user
  # The tests of the GDB stub (zxvp run --gdb) drive the real debugger
  gdb-multiarch
)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  echo "zxvp-build: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "zxvp-build: all dependencies present"
fi

configure=(cmake --preset "$preset" -Wno-dev)
[[ ${CI:-} == true ]] && configure+=(-DZXVP_WERROR=ON)
"${configure[@]}" >/dev/null
cmake --build --preset "$preset" -- -j"$(nproc)"

export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
if [[ $mode == run ]]; then
  exec "build/$preset/zxvp" "$@"
fi
exec ctest --preset "$preset" "$@"
