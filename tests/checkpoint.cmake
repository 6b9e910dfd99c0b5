# HDF5 training checkpoints: exact round trip, refusal of a foreign or damaged file, atomic saves.
mu_add_gtest(checkpoint_test TORCH)
