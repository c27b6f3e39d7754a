# Fails when plugin_api.h changed without a version bump.
# abi.lock lines: "<major>.<minor> <sha256 of the header>" (one line per released version).
# To release a new version: bump CHP_ABI_MAJOR/MINOR, then append the printed line.
file(READ "${HEADER}" content)
string(REPLACE "\r\n" "\n" content "${content}")
string(SHA256 hash "${content}")
string(REGEX MATCH "#define CHP_ABI_MAJOR ([0-9]+)" _ "${content}")
set(major "${CMAKE_MATCH_1}")
string(REGEX MATCH "#define CHP_ABI_MINOR ([0-9]+)" _ "${content}")
set(minor "${CMAKE_MATCH_1}")
file(STRINGS "${LOCK}" lines REGEX "^[0-9]+\\.[0-9]+ [0-9a-f]+$")
set(locked "")
foreach(line IN LISTS lines)
  string(REPLACE " " ";" parts "${line}")
  list(GET parts 0 v)
  list(GET parts 1 h)
  if(v STREQUAL "${major}.${minor}")
    set(locked "${h}")
  endif()
endforeach()
if(locked STREQUAL "")
  message(FATAL_ERROR "ABI ${major}.${minor} is not in ${LOCK}. If this is a new version, append:\n${major}.${minor} ${hash}")
endif()
if(NOT locked STREQUAL hash)
  message(FATAL_ERROR "plugin_api.h changed but still declares ABI ${major}.${minor}.\n"
    "Locked hash: ${locked}\nCurrent:     ${hash}\n"
    "Appending members is a minor bump; anything else is a major bump. Bump the version "
    "in plugin_api.h and append '<major>.<minor> <hash>' to abi.lock.")
endif()
message(STATUS "ABI ${major}.${minor} matches its lock")
