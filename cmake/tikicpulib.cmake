# The CMake package Ascend C projects use to build kernels in CPU mode:
#   <prefix>/tools/tikicpulib/lib/cmake/tikicpulibConfig.cmake (and <libdir>/cmake/tikicpulib)
# find_package(tikicpulib) defines an imported target tikicpulib::<SOC> for every SoC
# profile vnpu knows (src/soc/soc_profiles.cpp, read here so the two never drift): the
# Ascend C headers, the CPU-mode definitions and libascendcl.so (which runs the kernels).
# The kernel headers install under <include>/ascendc.
install(DIRECTORY include/ascendc DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# "name", "family" of every profile, in table order.
file(STRINGS ${PROJECT_SOURCE_DIR}/src/soc/soc_profiles.cpp _soc_rows REGEX "^ *\\{\"Ascend[^\"]*\", *\"[^\"]*\"")
set(VNPU_TIKICPULIB_SOCS)
foreach(_row IN LISTS _soc_rows)
  string(REGEX REPLACE "^ *\\{\"([^\"]*)\", *\"([^\"]*)\".*" "\\1;\\2" _pair "${_row}")
  list(APPEND VNPU_TIKICPULIB_SOCS ${_pair})
endforeach()
if(NOT VNPU_TIKICPULIB_SOCS)
  message(FATAL_ERROR "cmake/tikicpulib.cmake: no SoC profiles found in src/soc/soc_profiles.cpp")
endif()

# Installed twice: where CANN has it, and under <libdir>/cmake/tikicpulib, so that
# find_package also finds it with CMAKE_PREFIX_PATH=<prefix> (set_env.sh sets that).
set(VNPU_TIKICPULIB_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(VNPU_TIKICPULIB_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tikicpulibConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY AnyNewerVersion)
foreach(_tiki_dir IN ITEMS tools/tikicpulib/lib/cmake ${CMAKE_INSTALL_LIBDIR}/cmake/tikicpulib)
  file(RELATIVE_PATH VNPU_TIKICPULIB_TO_PREFIX /root/${_tiki_dir} /root)
  string(MAKE_C_IDENTIFIER ${_tiki_dir} _tiki_id)
  configure_file(cmake/tikicpulibConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/${_tiki_id}/tikicpulibConfig.cmake @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_tiki_id}/tikicpulibConfig.cmake
                ${CMAKE_CURRENT_BINARY_DIR}/tikicpulibConfigVersion.cmake
          DESTINATION ${_tiki_dir})
endforeach()

# ascendc.cmake (ascendc_library and host_intf_pub: the NPU launch style, generated
# launchers run by vnpu-cc), where sample projects look for it: compiler/tikcpp and the
# older tools/tikcpp.
set(VNPU_ASCENDC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(VNPU_ASCENDC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
foreach(_asc_dir IN ITEMS compiler/tikcpp/ascendc_kernel_cmake tools/tikcpp/ascendc_kernel_cmake)
  file(RELATIVE_PATH VNPU_ASCENDC_TO_PREFIX /root/${_asc_dir} /root)
  string(MAKE_C_IDENTIFIER ${_asc_dir} _asc_id)
  configure_file(cmake/ascendc.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/${_asc_id}/ascendc.cmake @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_asc_id}/ascendc.cmake DESTINATION ${_asc_dir})
endforeach()
