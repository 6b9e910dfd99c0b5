# Global magnitude/random pruning, SynFlow, masks and the sparsity report against hand-computed
# counts and a direct SynFlow computation.
mu_add_gtest(pruning_test TORCH)
# mu-prune end to end: OMP on two ranks, IMP rounds with exact counts, resume after kills.
mu_add_gtest(mu_prune_cli_test TORCH)
set_tests_properties(mu_prune_cli_test PROPERTIES PROCESSORS 2 TIMEOUT 900)
