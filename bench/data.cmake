# The data path: converting Fashion-MNIST, and reading + augmenting batches from memory.
mu_add_bench(bench_data TORCH)
