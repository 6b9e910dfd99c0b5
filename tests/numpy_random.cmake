# numpy RandomState reproduction and the reference train/validation split (pure C++, no LibTorch).
mu_add_gtest(numpy_random_test)
