# `cpack -G DEB` (from the build directory): zxvp_<version>_<arch>.deb, everything
# `cmake --install` installs, under /usr, so that `apt install ./zxvp_*.deb` pulls Debian's own
# packages: the shared libraries zxvp runs with (found by dpkg-shlibdeps), the development
# packages find_package(zxvp) needs (SystemC, Boost, libyaml and pkg-config), and, recommended,
# the RISC-V cross compiler and C library of zxvp-cc.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zxvp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "zxvp maintainers <zxvp@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "SystemC/TLM-2.0 virtual platform with a Zircon-like kernel model")
set(CPACK_PACKAGE_DESCRIPTION
    "zxvp models a core with its MMU, caches, an interconnect, memory and a DMA engine, and a\
 kernel model serving Zircon's VMO, handle and VMAR system calls with cycle estimates. This\
 package has the zxvp command, zxvp-cc and its guest SDK, and the headers, libraries and CMake\
 package (find_package(zxvp)) for putting zxvp's components into one's own SystemC platform.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libsystemc-dev, libboost1.81-dev, libboost-program-options1.81-dev, libboost-json1.81-dev, libyaml-dev, pkg-config")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "gcc-riscv64-unknown-elf, binutils-riscv64-unknown-elf, picolibc-riscv64-unknown-elf, cmake, g++")
include(CPack)
