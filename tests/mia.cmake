# SVC membership-inference attack (spec §7.2): features, the libsvm classifier, MIA-Efficacy and
# the training-privacy split.
mu_add_gtest(mia_test TORCH)
