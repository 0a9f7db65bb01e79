# capstan_add_plugin(<target> [SDK_ONLY] SOURCES a.cpp b.cpp [LIBRARIES ...] [OUTPUT_NAME name])
#
# Builds a Capstan plugin .so with the rules the loader relies on:
#  - exactly one exported symbol (`capstan_plugin`, the descriptor alias), by version script;
#  - -fvisibility=hidden so nothing else leaks into the dynamic symbol table;
#  - -fno-gnu-unique: without it header-only singletons in spdlog/Boost become
#    STB_GNU_UNIQUE symbols and dlclose() silently never unloads the library;
#  - -Wl,-z,defs so an unresolved symbol fails the link instead of the daemon.
set(CAPSTAN_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/plugin.version CACHE INTERNAL "")

function(capstan_add_plugin target)
  cmake_parse_arguments(P "SDK_ONLY" "OUTPUT_NAME;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${P_SOURCES})
  # Out of tree (find_package(Capstan)) only the SDK exists.
  if(P_SDK_ONLY OR NOT TARGET capstan::plugin-api)
    target_link_libraries(${target} PRIVATE capstan::plugin-sdk ${P_LIBRARIES})
  else()
    target_link_libraries(${target} PRIVATE capstan::plugin-api ${P_LIBRARIES})
  endif()
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

# capstan_add_scheduler_stage(<so-name>)
#
# For a scheduler stage folder plugins/scheduler/<dir>/: every .cpp but plugin.cpp and
# *_test.cpp forms a static library (the stage, unit-testable without loading anything),
# plugin.cpp adds the descriptor and Plugin wrapper, giving <so-name>.so, and *_test.cpp form
# the unit test executable `<so-name>-test`. Stages build against the SDK headers only.
function(capstan_add_scheduler_stage so_name)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/plugin.cpp)
    message(WARNING "${CMAKE_CURRENT_SOURCE_DIR}: no plugin.cpp, stage ${so_name} not built")
    return()
  endif()
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "(_test|/plugin)\\.cpp$")
  if(NOT srcs)
    message(WARNING "${CMAKE_CURRENT_SOURCE_DIR}: no sources, stage ${so_name} not built")
    return()
  endif()
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  add_library(${so_name}-stage STATIC ${srcs})
  target_include_directories(${so_name}-stage PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(${so_name}-stage PRIVATE -fvisibility=hidden -fvisibility-inlines-hidden -fno-gnu-unique)
  target_link_libraries(${so_name}-stage PUBLIC capstan::plugin-sdk)
  capstan_add_plugin(${so_name} SDK_ONLY SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/plugin.cpp LIBRARIES ${so_name}-stage)
  if(tests)
    add_executable(${so_name}-test ${tests})
    target_link_libraries(${so_name}-test PRIVATE ${so_name}-stage capstan-catch-main)
    add_dependencies(capstan-unit-tests ${so_name}-test)
    catch_discover_tests(${so_name}-test TEST_PREFIX "${so_name}: " PROPERTIES LABELS unit)
  endif()
endfunction()
