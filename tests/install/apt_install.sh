#!/usr/bin/env bash
# For CI machines: builds the Debian package of BUILD_DIR, installs it with apt as a user would
# (`apt install ./zxvp_*.deb`, which pulls its dependencies), builds and runs the example
# platform against /usr, runs the installed zxvp, then removes the package.
#   apt_install.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scratch=$(mktemp -d)
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
trap '"${sudo[@]}" apt-get remove -y -qq zxvp >/dev/null || true; rm -rf "$scratch"' EXIT

(cd "$scratch" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" >/dev/null)
deb=$(ls "$scratch"/out/zxvp_*.deb)
chmod -R a+rX "$scratch"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$deb" >/dev/null
bash "$source/tests/install/build_example.sh" "$source" /usr "$scratch/example"
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 zxvp --version
echo "apt install: $(basename "$deb") installed, the example built against /usr and run"
