# mu-data end to end on the real Fashion-MNIST from Debian's dataset-fashion-mnist package.
mu_add_gtest(mu_data_cli_test TORCH)
