#!/usr/bin/env bash
# The Debian package: cpack -G DEB in BUILD_DIR gives zxvp_<version>_<arch>.deb whose Depends
# are Debian's packages, with the CMake package under /usr where find_package looks; its files,
# unpacked (not installed: dpkg -x), build and run the example.
#   deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

(cd "$scratch" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" >/dev/null)
deb=$(ls "$scratch"/out/zxvp_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for package in libsystemc-dev libsystemc libboost-program-options1.81-dev libboost-json1.81-dev \
  libboost-program-options1.81.0 libboost-json1.81.0 libyaml-dev libyaml-0-2 pkg-config libc6; do
  grep -Eq "(^|, )$package( |,|$)" <<<"$depends" || { echo "Depends lacks $package"; exit 1; }
done
dpkg-deb -f "$deb" Recommends | grep -q gcc-riscv64-unknown-elf
contents=$(dpkg-deb -c "$deb")
for file in ./usr/bin/zxvp ./usr/bin/zxvp-cc ./usr/lib/cmake/zxvp/zxvpConfig.cmake \
  ./usr/lib/cmake/zxvp/zxvpConfigVersion.cmake ./usr/include/zxvp/zxvp.h \
  ./usr/lib/zxvp/sdk/crt0.o ./usr/share/zxvp/platforms/default.yaml; do
  grep -q " $file\$" <<<"$contents" || { echo "the package lacks $file"; exit 1; }
done
dpkg-deb -x "$deb" "$scratch/root"
bash "$source/tests/install/build_example.sh" "$source" "$scratch/root/usr" "$scratch/example"
echo "deb test: $(basename "$deb") lists its dependencies and builds the example"
