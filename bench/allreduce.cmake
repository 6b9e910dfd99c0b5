# Gradient all-reduce bandwidth: bucketed GradientBucketer against raw MPI_Allreduce
# (run under mpirun -np 2).
mu_add_bench(bench_allreduce TORCH)
