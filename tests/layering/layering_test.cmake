# cmake -DCHECK=cmake/CheckLayering.cmake -DUNITS=<build>/layering/units.cmake -DWORK=<dir>
#       -P tests/layering/layering_test.cmake
# Runs the layering check on this tree (it must pass) and on fixture trees that break one rule
# each (it must fail, naming the problem).
cmake_minimum_required(VERSION 3.25)

function(run_check units expect_ok expected_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DUNITS=${units} -P ${CHECK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(text "${out}${err}")
  if(expect_ok AND NOT rc EQUAL 0)
    message(FATAL_ERROR "expected the check to pass on ${units}:\n${text}")
  endif()
  if(NOT expect_ok AND rc EQUAL 0)
    message(FATAL_ERROR "expected the check to fail on ${units}, it passed:\n${text}")
  endif()
  string(FIND "${text}" "${expected_text}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "expected '${expected_text}' from the check on ${units}:\n${text}")
  endif()
  message(STATUS "ok: ${units}: ${expected_text}")
endfunction()

# A fixture tree: modules low <- high and a program; `edits` breaks one rule.
function(fixture name low_depends high_sources low_cpp_text program_depends)
  set(root ${WORK}/${name})
  file(REMOVE_RECURSE ${root})
  file(WRITE ${root}/pipeline/low/low.h "#pragma once\n")
  file(WRITE ${root}/pipeline/low/low.cpp "${low_cpp_text}")
  file(WRITE ${root}/pipeline/high/high.h "#pragma once\n#include \"pipeline/low/low.h\"\n")
  file(WRITE ${root}/pipeline/high/high.cpp "#include \"pipeline/high/high.h\"\n")
  file(WRITE ${root}/pipeline/high/extra.cpp "#include \"pipeline/high/high.h\"\n")
  file(WRITE ${root}/tool/tool.cpp "#include \"pipeline/high/high.h\"\n")
  set(high_files)
  foreach(source ${high_sources})
    list(APPEND high_files ${root}/pipeline/high/${source})
  endforeach()
  file(WRITE ${root}/units.cmake "set(MU_SOURCE_DIR \"${root}\")
set(MU_UNITS \"low;high;tool\")
set(MU_UNIT_low_KIND \"module\")
set(MU_UNIT_low_DIR \"pipeline/low\")
set(MU_UNIT_low_SOURCES \"${root}/pipeline/low/low.cpp\")
set(MU_UNIT_low_DEPENDS \"${low_depends}\")
set(MU_UNIT_high_KIND \"module\")
set(MU_UNIT_high_DIR \"pipeline/high\")
set(MU_UNIT_high_SOURCES \"${high_files}\")
set(MU_UNIT_high_DEPENDS \"low\")
set(MU_UNIT_tool_KIND \"program\")
set(MU_UNIT_tool_DIR \"\")
set(MU_UNIT_tool_SOURCES \"${root}/tool/tool.cpp\")
set(MU_UNIT_tool_DEPENDS \"${program_depends}\")
")
endfunction()

run_check(${UNITS} TRUE "all follow the declared module graph")

set(clean_low "#include \"pipeline/low/low.h\"\n")
fixture(sound "" "high.cpp;extra.cpp" "${clean_low}" "high")
run_check(${WORK}/sound/units.cmake TRUE "all follow the declared module graph")

fixture(upward "" "high.cpp;extra.cpp" "#include \"pipeline/high/high.h\"\n" "high")
run_check(${WORK}/upward/units.cmake FALSE
          "pipeline/low/low.cpp: includes pipeline/high/high.h of module high, but low declares only []")

fixture(cycle "high" "high.cpp;extra.cpp" "${clean_low}" "high")
run_check(${WORK}/cycle/units.cmake FALSE "the module graph has a cycle")

fixture(unlisted "" "high.cpp" "${clean_low}" "high")
run_check(${WORK}/unlisted/units.cmake FALSE
          "pipeline/high/extra.cpp: not a source of module high")

fixture(undeclared "" "high.cpp;extra.cpp" "${clean_low}" "low")
run_check(${WORK}/undeclared/units.cmake FALSE
          "tool/tool.cpp: includes pipeline/high/high.h of module high, but tool declares only [low]")
