# The code version (git describe) recorded in every run. It is regenerated on every build but the
# file only changes when the version does, so an unchanged tree rebuilds nothing.
set(MU_CODE_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/code_version.cpp)
add_custom_target(mu_code_version
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${MU_CODE_VERSION_CPP}
          -DPROJECT_VERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/WriteCodeVersion.cmake
  BYPRODUCTS ${MU_CODE_VERSION_CPP}
  COMMENT "Recording the code version")
