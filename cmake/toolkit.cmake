# The install prefix doubles as a CANN toolkit path: AscendCL samples find their headers and
# libraries through INSTALL_DIR / DDK_PATH / NPU_HOST_LIB under fixed relative paths, and
# `source <prefix>/set_env.sh` sets those variables as CANN's set_env.sh does.
#
#   runtime/include -> ../include     runtime/lib64 -> ../lib (the library directory)
#   acllib -> runtime                 lib64 -> lib (when the library directory is not lib64)
#   lib/libacl_dvpp.so, libruntime.so, libc_sec.so -> libascendcl.so   (for linking only)
#   lib/stub/lib{ascendcl,acl_dvpp,runtime,c_sec}.so -> ../libascendcl.so   (runtime/lib64/stub)
#
# Every link is relative, so the prefix can be copied anywhere (cp -a, tar). A path that
# already exists as a real file or directory (lib64 in /usr) is left alone, with a warning.
# docs/porting.md describes the layout and why each name exists.
# Ascend C sample projects link tiling_api, register, platform (platform_ascendc) and a
# logging library beside ascendcl in CPU mode.
set(VNPU_TOOLKIT_LINK_LIBS acl_dvpp runtime c_sec tiling_api register platform unified_dlog ascendalog)

configure_file(cmake/set_env.sh.in ${CMAKE_CURRENT_BINARY_DIR}/set_env.sh @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/set_env.sh DESTINATION .)
# Sample run scripts source <toolkit>/bin/setenv.bash: the same environment.
install(FILES cmake/setenv.bash DESTINATION ${CMAKE_INSTALL_BINDIR})

# (link name, target) pairs, relative to the prefix; the targets are relative to the link.
set(_links
  runtime/include ../${CMAKE_INSTALL_INCLUDEDIR}
  runtime/lib64 ../${CMAKE_INSTALL_LIBDIR}
  acllib runtime
  ${CMAKE_INSTALL_LIBDIR}/stub/libascendcl.so ../libascendcl.so)
if(NOT CMAKE_INSTALL_LIBDIR STREQUAL "lib64")
  list(APPEND _links lib64 ${CMAKE_INSTALL_LIBDIR})
endif()
foreach(_lib IN LISTS VNPU_TOOLKIT_LINK_LIBS)
  list(APPEND _links ${CMAKE_INSTALL_LIBDIR}/lib${_lib}.so libascendcl.so
                     ${CMAKE_INSTALL_LIBDIR}/stub/lib${_lib}.so ../libascendcl.so)
endforeach()

install(CODE "
  set(_links \"${_links}\")
  set(_root \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  while(_links)
    list(POP_FRONT _links _name _target)
    get_filename_component(_dir \"\${_root}/\${_name}\" DIRECTORY)
    file(MAKE_DIRECTORY \"\${_dir}\")
    if(EXISTS \"\${_root}/\${_name}\" AND NOT IS_SYMLINK \"\${_root}/\${_name}\")
      message(WARNING \"\${_root}/\${_name} exists and is not a link: left as it is\")
      continue()
    endif()
    file(REMOVE \"\${_root}/\${_name}\")
    message(STATUS \"Installing: \${_root}/\${_name} -> \${_target}\")
    file(CREATE_LINK \"\${_target}\" \"\${_root}/\${_name}\" SYMBOLIC)
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_root}/\${_name}\")
  endwhile()
")
