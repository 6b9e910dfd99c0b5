# The libFuzzer tree (MU_FUZZ=ON; bench/fuzz.sh configures it beside the normal build): clang with
# AddressSanitizer and UndefinedBehaviorSanitizer on every object, libFuzzer's coverage hooks on
# our code, and only the harnesses of tests/fuzz and the libraries they link are built. UBSan
# stops at its first report (no recover), so the fuzzer counts it as a crash, as it does ASan's.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MU_FUZZ=ON needs clang (libFuzzer): configure with "
                      "-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14")
endif()
# -O1 keeps the two-core compile short and the stack traces readable; line tables are enough for
# the sanitizers' reports.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -gline-tables-only -O1)
add_link_options(-fsanitize=address,undefined)
