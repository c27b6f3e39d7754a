# Warnings, ccache and sanitizer wiring shared by every target.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_compile_options(-Wall -Wextra -Wno-unused-parameter)

set(CHP_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address,undefined' or 'thread'")
if(CHP_SANITIZE)
  add_compile_options(-fsanitize=${CHP_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${CHP_SANITIZE})
endif()

# CHP_FUZZ (the `fuzz` preset): every library instrumented for libFuzzer with ASan + UBSan; the
# targets in tests/fuzz/ link the fuzzer's main (-fsanitize=fuzzer). Clang only.
option(CHP_FUZZ "Build the libFuzzer targets (clang) with address,undefined" OFF)
if(CHP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CHP_FUZZ needs clang (the fuzz preset sets it)")
  endif()
  if(CHP_SANITIZE)
    message(FATAL_ERROR "CHP_FUZZ brings its own sanitizers: leave CHP_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# chp_add_plugin(<target> SOURCES ... [OUTPUT_DIR dir]): a connector plugin module with
# hidden visibility that exports only chp_plugin_entry.
function(chp_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CHP_PLUGIN_OUTPUT_DIR})
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  # Hidden visibility alone leaves libstdc++/Boost template instances exported; the SDK's
  # version script (the same one shipped in the package) makes the entry the only export.
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    set(map ${PROJECT_SOURCE_DIR}/sdk/cmake/connector_host_plugin.map)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${map}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
endfunction()
