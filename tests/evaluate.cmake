# mu-evaluate end to end on a small slice of the real Fashion-MNIST: accuracies against a direct
# computation, one rank against two, resuming, bad input.
mu_add_gtest(evaluate_test TORCH)
set_tests_properties(evaluate_test PROPERTIES PROCESSORS 2 TIMEOUT 600)
