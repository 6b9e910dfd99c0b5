# Source-format readers (IDX, CIFAR binary, SVHN .mat) and the format registry.
mu_add_gtest(formats_test)
