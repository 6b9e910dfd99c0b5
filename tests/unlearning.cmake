# The unlearning library: forget sets against numpy fixtures, the method registry, each method on
# a toy task (direction, masks kept, resume), FF and IU against direct computations; and FF/IU
# statistics on one rank against two real MPI ranks.
mu_add_gtest(unlearning_test TORCH)
mu_add_gtest(unlearning_mpi_test TORCH OWN_MAIN)
mu_add_mpi_gtest(unlearning_mpi_test 2)
# mu-unlearn end to end: every method on a pruned model under two ranks, resume, bad input.
mu_add_gtest(mu_unlearn_cli_test TORCH)
set_tests_properties(mu_unlearn_cli_test PROPERTIES PROCESSORS 2 TIMEOUT 900)
