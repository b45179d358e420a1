# Install the library, headers and CMake package so find_package(vnpu CONFIG) works, and
# the toolkit layout that AscendCL samples expect (cmake/toolkit.cmake).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS vnpu ascendcl hccl vnpu_comm vnpu_comm_core EXPORT vnpuTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/vnpu include/acl include/hccl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# pkg-config for the C API: `cc app.c $(pkg-config --cflags --libs ascendcl)`.
file(RELATIVE_PATH ASCENDCL_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(cmake/ascendcl.pc.in ${CMAKE_CURRENT_BINARY_DIR}/ascendcl.pc @ONLY)
configure_file(cmake/hccl.pc.in ${CMAKE_CURRENT_BINARY_DIR}/hccl.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ascendcl.pc ${CMAKE_CURRENT_BINARY_DIR}/hccl.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(TARGET vnpu_cli)
  install(TARGETS vnpu_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT vnpuTargets NAMESPACE vnpu:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vnpu)
configure_package_config_file(cmake/vnpuConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/vnpuConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vnpu)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/vnpuConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/vnpuConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/vnpuConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vnpu)
include(cmake/toolkit.cmake)
include(cmake/tikicpulib.cmake)
