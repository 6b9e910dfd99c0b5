# Script mode: cmake -DUNITS=<build>/layering/units.cmake -P cmake/CheckLayering.cmake
#
# Checks the module graph that cmake/Modules.cmake recorded:
#  1. every declared dependency names a module, and the modules form a DAG;
#  2. every .cpp inside a module's folder is one of its sources or a program's (a forgotten file
#     would not build);
#  3. every `#include "<project path>"` in a unit's files names a header of the unit's own module
#     or of a module the unit declares: an include that runs up, or sideways to an undeclared
#     module, fails here.
# Fails with one line per problem, naming the file, the line and what the unit declares.
cmake_minimum_required(VERSION 3.25)
include(${UNITS})

set(modules)
set(program_sources)  # a program's main may sit in a module's folder (datasets/mu_data.cpp)
foreach(unit ${MU_UNITS})
  if(MU_UNIT_${unit}_KIND STREQUAL "module")
    list(APPEND modules ${unit})
  else()
    list(APPEND program_sources ${MU_UNIT_${unit}_SOURCES})
  endif()
endforeach()

set(problems)
macro(problem)
  string(CONCAT problem_text ${ARGN})
  list(APPEND problems "${problem_text}")
endmacro()

# 1. Declared dependencies: known modules, no cycle.
foreach(unit ${MU_UNITS})
  foreach(dependency ${MU_UNIT_${unit}_DEPENDS})
    if(NOT dependency IN_LIST modules)
      problem("${unit}: depends on '${dependency}', which is no module (modules: ${modules})")
    endif()
  endforeach()
endforeach()

function(visit module chain)
  get_property(state GLOBAL PROPERTY MU_VISIT_${module})
  if(state STREQUAL "done")
    return()
  endif()
  if(state STREQUAL "active")
    string(REPLACE ";" " -> " cycle "${chain};${module}")
    set_property(GLOBAL APPEND PROPERTY MU_CYCLES "the module graph has a cycle: ${cycle}")
    return()
  endif()
  set_property(GLOBAL PROPERTY MU_VISIT_${module} active)
  foreach(dependency ${MU_UNIT_${module}_DEPENDS})
    if(dependency IN_LIST modules)
      visit(${dependency} "${chain};${module}")
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY MU_VISIT_${module} done)
endfunction()
foreach(module ${modules})
  visit(${module} "")
endforeach()
get_property(cycles GLOBAL PROPERTY MU_CYCLES)
list(APPEND problems ${cycles})

# The module that owns a project path ("pipeline/data/augment.h" -> data), or "" for none.
function(owner_of path out)
  set(best "")
  set(best_length 0)
  foreach(module ${modules})
    set(directory "${MU_UNIT_${module}_DIR}")
    string(LENGTH "${directory}/" length)
    string(SUBSTRING "${path}" 0 ${length} prefix)
    if(prefix STREQUAL "${directory}/" AND length GREATER best_length)
      set(best ${module})
      set(best_length ${length})
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

set(checked_files 0)
set(checked_includes 0)
foreach(unit ${MU_UNITS})
  set(files ${MU_UNIT_${unit}_SOURCES})
  set(own "")
  if(MU_UNIT_${unit}_KIND STREQUAL "module")
    set(own ${unit})
    set(directory "${MU_SOURCE_DIR}/${MU_UNIT_${unit}_DIR}")
    # 2. Every .cpp of the folder is built by its module (sub-folders that are modules of their
    # own belong to those).
    file(GLOB_RECURSE folder_sources ${directory}/*.cpp)
    foreach(source ${folder_sources})
      file(RELATIVE_PATH relative ${MU_SOURCE_DIR} ${source})
      owner_of("${relative}" source_owner)
      if(source_owner STREQUAL unit AND NOT source IN_LIST files AND
         NOT source IN_LIST program_sources)
        problem("${relative}: not a source of module ${unit} (list it in its CMakeLists.txt)")
      endif()
    endforeach()
    file(GLOB_RECURSE headers ${directory}/*.h)
    list(APPEND files ${headers})
  endif()
  set(allowed ${own} ${MU_UNIT_${unit}_DEPENDS})
  # 3. Includes.
  list(FILTER files INCLUDE REGEX "^${MU_SOURCE_DIR}/")  # generated files are not checked
  foreach(file ${files})
    math(EXPR checked_files "${checked_files} + 1")
    file(RELATIVE_PATH relative ${MU_SOURCE_DIR} ${file})
    if(own)
      owner_of("${relative}" file_owner)
      if(NOT file_owner STREQUAL own)
        continue()  # a nested module's file, checked as that module's
      endif()
    endif()
    file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line ${lines})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*$" "\\1" included "${line}")
      owner_of("${included}" included_owner)
      if(included_owner STREQUAL "")
        continue()  # not a module header (generated files, third-party headers)
      endif()
      math(EXPR checked_includes "${checked_includes} + 1")
      if(NOT included_owner IN_LIST allowed)
        string(REPLACE ";" " " declared "${MU_UNIT_${unit}_DEPENDS}")
        problem("${relative}: includes ${included} of module ${included_owner}, but ${unit} "
                "declares only [${declared}]")
      endif()
    endforeach()
  endforeach()
endforeach()

list(LENGTH modules module_count)
if(problems)
  list(LENGTH problems count)
  string(REPLACE ";" "\n  " text "${problems}")
  message(FATAL_ERROR "layering: ${count} problem(s):\n  ${text}")
endif()
message(STATUS "layering: ${module_count} modules, ${checked_files} files, ${checked_includes} "
               "project includes: all follow the declared module graph")
