# What `cmake --install` puts under the prefix:
#   bin/zxvp, bin/zxvp-cc                  the command and the guest compiler driver
#   <libdir>/zxvp/sdk/                     the guest SDK (sw/sdk/CMakeLists.txt)
#   <libdir>/libzxvp_*.a                   the libraries
#   <libdir>/cmake/zxvp/                   the CMake package: find_package(zxvp) -> zxvp::zxvp
#   include/zxvp/                          the public headers (<zxvp/zxvp.h> and what it reaches)
#   share/zxvp/platforms/default.yaml      the built-in platform file, to start one's own from
include(CMakePackageConfigHelpers)

# The libraries of the layers, exported as zxvp::<name without zxvp_>: every one the layers'
# folders define, so that a library added later is exported with the others it links to.
# zxvp::zxvp links them all (the workloads library, whose System is the default platform with
# the kernel model, links the rest).
function(zxvp_libraries_below directory result)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  set(libraries)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      list(APPEND libraries ${target})
    endif()
  endforeach()
  foreach(subdirectory ${subdirectories})
    zxvp_libraries_below(${subdirectory} below)
    list(APPEND libraries ${below})
  endforeach()
  set(${result} ${libraries} PARENT_SCOPE)
endfunction()
set(zxvp_libraries zxvp_build_flags)
foreach(layer sim models platforms sw)
  zxvp_libraries_below(${PROJECT_SOURCE_DIR}/${layer} libraries)
  list(APPEND zxvp_libraries ${libraries})
endforeach()
foreach(library ${zxvp_libraries})
  string(REPLACE "zxvp_" "" export_name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${export_name})
endforeach()
add_library(zxvp_library INTERFACE)
target_link_libraries(zxvp_library INTERFACE zxvp_workloads)
set_target_properties(zxvp_library PROPERTIES EXPORT_NAME zxvp)
add_library(zxvp::zxvp ALIAS zxvp_library)

install(TARGETS zxvp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${zxvp_libraries} zxvp_library EXPORT zxvpTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set(ZXVP_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/zxvp)
install(EXPORT zxvpTargets NAMESPACE zxvp:: DESTINATION ${ZXVP_PACKAGE_DIR})
configure_package_config_file(cmake/zxvpConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/zxvpConfig.cmake
                              INSTALL_DESTINATION ${ZXVP_PACKAGE_DIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR)
# 0.x: a new minor version may change the interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/zxvpConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/zxvpConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/zxvpConfigVersion.cmake
        DESTINATION ${ZXVP_PACKAGE_DIR})

# The public headers: the umbrella and every header of the tree it includes, directly or not,
# as the compiler finds them, at their paths in the tree; the others stay internal. A public
# header that changes makes CMake look again.
set(umbrella ${PROJECT_SOURCE_DIR}/include/zxvp/zxvp.h)
set(include_flags -I${PROJECT_SOURCE_DIR})
foreach(directory ${SystemC_INCLUDE_DIRS})
  list(APPEND include_flags -I${directory})
endforeach()
execute_process(
  COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -DSC_CPLUSPLUS=201703L ${include_flags} -MM ${umbrella}
  OUTPUT_VARIABLE dependencies ERROR_VARIABLE dependency_errors RESULT_VARIABLE dependency_result)
if(NOT dependency_result EQUAL 0)
  message(FATAL_ERROR "the public headers: ${umbrella} does not preprocess:\n${dependency_errors}")
endif()
string(REGEX MATCHALL "[^ \\\n]+\\.h" public_headers "${dependencies}")
foreach(header ${public_headers})
  file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${header})
  if(relative MATCHES "^(models|platforms|sim|sw)/")
    get_filename_component(directory ${relative} DIRECTORY)
    install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/zxvp/${directory})
  endif()
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${public_headers})
install(FILES ${umbrella} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/zxvp)

install(FILES platforms/default.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/zxvp/platforms)
