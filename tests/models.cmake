# Model registry and architectures: parameter counts, names, shapes, normalisation, initialisation.
mu_add_gtest(models_test TORCH)
