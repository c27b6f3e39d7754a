# CMake helpers shipped with the ConnectorHostSDK package (and used in-tree by sdk/).
#
#   connector_host_add_plugin(<target> SOURCES <src>... [OUTPUT_DIR <dir>])
#     A loadable plugin module: no "lib" prefix, hidden visibility, linked to
#     ConnectorHost::sdk, and a version script so chp_plugin_entry is the only export.
#
#   chp_add_conformance_test(NAME <name> PLUGIN <target> CONFIG <config.json>)
#     Registers CTest test "conformance.<name>" (label "conformance") running the
#     conformance runner on the plugin with a config it must accept.
include_guard(GLOBAL)

set(CONNECTOR_HOST_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/connector_host_plugin.map"
    CACHE INTERNAL "Linker version script exporting only chp_plugin_entry")

function(connector_host_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "connector_host_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ConnectorHost::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  endif()
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # Hidden visibility alone leaves libstdc++/Boost template instances (default visibility
    # by pragma) exported; the version script makes the entry the only dynamic symbol.
    target_link_options(${target} PRIVATE
      "LINKER:--version-script=${CONNECTOR_HOST_PLUGIN_VERSION_SCRIPT}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
      ${CONNECTOR_HOST_PLUGIN_VERSION_SCRIPT})
  endif()
endfunction()

function(chp_add_conformance_test)
  cmake_parse_arguments(ARG "" "NAME;PLUGIN;CONFIG" "" ${ARGN})
  foreach(required NAME PLUGIN CONFIG)
    if(NOT ARG_${required})
      message(FATAL_ERROR "chp_add_conformance_test: ${required} is required")
    endif()
  endforeach()
  if(TARGET chp-conformance)
    set(runner chp-conformance)  # in-tree
  elseif(TARGET ConnectorHost::conformance)
    set(runner ConnectorHost::conformance)  # from the installed package
  else()
    message(FATAL_ERROR "chp_add_conformance_test: the conformance runner is not available")
  endif()
  get_filename_component(config "${ARG_CONFIG}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  add_test(NAME conformance.${ARG_NAME}
    COMMAND ${runner} --plugin $<TARGET_FILE:${ARG_PLUGIN}> --config ${config})
  set_tests_properties(conformance.${ARG_NAME} PROPERTIES LABELS conformance TIMEOUT 60)
endfunction()
