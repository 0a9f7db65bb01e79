# capstan_add_plugin(<target> SOURCES a.cpp b.cpp [LIBRARIES ...] [OUTPUT_NAME name])
#
# Builds a Capstan plugin .so with the rules the loader relies on:
#  - exactly one exported symbol (`capstan_plugin`, the descriptor alias), by version script;
#  - -fvisibility=hidden so nothing else leaks into the dynamic symbol table;
#  - -fno-gnu-unique: without it header-only singletons in spdlog/Boost become
#    STB_GNU_UNIQUE symbols and dlclose() silently never unloads the library;
#  - -Wl,-z,defs so an unresolved symbol fails the link instead of the daemon.
set(CAPSTAN_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/plugin.version CACHE INTERNAL "")

function(capstan_add_plugin target)
  cmake_parse_arguments(P "" "OUTPUT_NAME;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE capstan::plugin-api ${P_LIBRARIES})
  target_compile_options(${target} PRIVATE -fvisibility=hidden -fvisibility-inlines-hidden -fno-gnu-unique)
  target_link_options(${target} PRIVATE
    -Wl,--version-script=${CAPSTAN_PLUGIN_VERSION_SCRIPT} -Wl,-z,defs)
  set_target_properties(${target} PROPERTIES PREFIX "" LINK_DEPENDS ${CAPSTAN_PLUGIN_VERSION_SCRIPT})
  if(P_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${P_OUTPUT_NAME})
  endif()
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
  elseif(DEFINED CAPSTAN_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CAPSTAN_PLUGIN_OUTPUT_DIR})
  endif()
endfunction()
