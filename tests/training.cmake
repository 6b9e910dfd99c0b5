# The training building blocks (masked SGD, schedules) and mu-train end to end: resume after a
# kill, stop on a signal, one rank against two, bad input.
mu_add_gtest(training_test TORCH)
mu_add_gtest(mu_train_cli_test TORCH)
set_tests_properties(mu_train_cli_test PROPERTIES PROCESSORS 2 TIMEOUT 900)
