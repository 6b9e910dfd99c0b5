# The gradient communication layer (collectives, gradient buckets, initial broadcast): plain on
# one rank, and on two real MPI ranks.
mu_add_gtest(communicator_test TORCH OWN_MAIN)
mu_add_mpi_gtest(communicator_test 2)
