# Global magnitude/random pruning, SynFlow, masks and the sparsity report against hand-computed
# counts and a direct SynFlow computation.
mu_add_gtest(pruning_test TORCH)
