# vnpu_dev_flags: warnings and sanitizer flags for vnpu's own targets (never exported).
add_library(vnpu_dev_flags INTERFACE)
target_compile_options(vnpu_dev_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                -Wno-sign-conversion)
if(VNPU_WERROR)
  target_compile_options(vnpu_dev_flags INTERFACE -Werror)
endif()
if(VNPU_SIMD_BASELINE_ONLY)
  target_compile_definitions(vnpu_dev_flags INTERFACE HWY_COMPILE_ONLY_STATIC=1)
endif()
if(VNPU_SANITIZE STREQUAL "thread")
  # -Wno-tsan: TSan does not model atomic_thread_fence; vnpu's fences only order wake-up
  # checks (Dekker pairs), never the hand-off of plain data, which uses acquire/release.
  target_compile_options(vnpu_dev_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer -g
                                                  $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  target_link_options(vnpu_dev_flags INTERFACE -fsanitize=thread)
elseif(VNPU_SANITIZE STREQUAL "address")
  target_compile_options(vnpu_dev_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                                                  -fno-omit-frame-pointer -g)
  target_link_options(vnpu_dev_flags INTERFACE -fsanitize=address,undefined)
elseif(NOT VNPU_SANITIZE STREQUAL "")
  message(FATAL_ERROR "VNPU_SANITIZE must be '', 'thread' or 'address'")
endif()
