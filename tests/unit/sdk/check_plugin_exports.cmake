# cmake -DPLUGIN=<module> -DNM=<nm> -P check_plugin_exports.cmake
# Fails unless the plugin's defined dynamic symbols are exactly chp_plugin_entry.
execute_process(COMMAND ${NM} -D --defined-only ${PLUGIN}
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${PLUGIN}")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${out}")
set(symbols "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^[0-9a-fA-F]* *[A-Za-z] " "" sym "${line}")
  list(APPEND symbols "${sym}")
endforeach()
if(NOT symbols STREQUAL "chp_plugin_entry")
  message(FATAL_ERROR "expected only chp_plugin_entry exported, got: ${symbols}")
endif()
message(STATUS "exports: ${symbols}")
