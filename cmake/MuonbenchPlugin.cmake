# muonbench_add_plugin(NAME SOURCES a.cpp [b.cpp ...] [SCALARS float double mp50])
#
# Builds the shared library libNAME.so, a muonbench plugin (docs/plugins.md): each source is
# compiled once per scalar, as muonbench compiles its own problems and solvers (a generated file
# `#define MB_SCALAR_<scalar> 1` + `#include "<source>"`, harness/core/per_scalar.hpp), so that
# MB_REGISTER_SOLVER / MB_REGISTER_PROBLEM register one instance per scalar; one more generated
# file holds the entry points (include/muonbench/plugin.hpp, MUONBENCH_PLUGIN_ENTRY).
# SCALARS: default float double mp50; a source that is not templated on the scalar lists one.
# Load it with `muonbench --plugin $<TARGET_FILE:NAME> ...`.
function(muonbench_add_plugin name)
  cmake_parse_arguments(MBP "" "" "SOURCES;SCALARS" ${ARGN})
  if(NOT MBP_SOURCES)
    message(FATAL_ERROR "muonbench_add_plugin(${name}): give SOURCES a.cpp [b.cpp ...]")
  endif()
  if(NOT MBP_SCALARS)
    set(MBP_SCALARS float double mp50)
  endif()
  set(units "")
  set(index 0)
  foreach(src IN LISTS MBP_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    if(NOT EXISTS "${abs}")
      message(FATAL_ERROR "muonbench_add_plugin(${name}): no such source ${abs}")
    endif()
    get_filename_component(stem "${src}" NAME_WE)
    foreach(s IN LISTS MBP_SCALARS)
      if(NOT s MATCHES "^(float|double|mp50)$")
        message(FATAL_ERROR "muonbench_add_plugin(${name}): unknown scalar '${s}'; known: float double mp50")
      endif()
      set(gen "${CMAKE_CURRENT_BINARY_DIR}/${name}_units/${index}_${stem}.${s}.cpp")
      file(CONFIGURE OUTPUT "${gen}" CONTENT "#define MB_SCALAR_${s} 1\n#include \"${abs}\"\n" @ONLY)
      list(APPEND units "${gen}")
      set_property(SOURCE "${gen}" APPEND PROPERTY OBJECT_DEPENDS "${abs}")
    endforeach()
    math(EXPR index "${index} + 1")
  endforeach()
  set(entry "${CMAKE_CURRENT_BINARY_DIR}/${name}_units/plugin_entry.cpp")
  file(CONFIGURE OUTPUT "${entry}" CONTENT "#define MUONBENCH_PLUGIN_ENTRY 1\n#include <muonbench/plugin.hpp>\n" @ONLY)
  add_library(${name} MODULE ${units} "${entry}")
  target_link_libraries(${name} PRIVATE muonbench::plugin)
  set_target_properties(${name} PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
endfunction()
