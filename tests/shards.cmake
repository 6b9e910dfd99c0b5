# HDF5 shard writing and reading, the epoch sampler, batched augmentation, and the same reading
# on two real MPI ranks.
mu_add_gtest(shards_test TORCH)
mu_add_gtest(augment_test TORCH)
mu_add_gtest(data_mpi_test TORCH OWN_MAIN)
mu_add_mpi_gtest(data_mpi_test 2)
