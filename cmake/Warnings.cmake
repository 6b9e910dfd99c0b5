# Warnings are on for our own code and must stay clean; third-party headers come in as SYSTEM
# through their imported targets, so their warnings do not drown ours.
function(mu_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wnull-dereference -Wdouble-promotion -Wformat=2)
endfunction()
