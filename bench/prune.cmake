# Time to compute a global magnitude and a random mask over ResNet-18's 11 M conv weights.
mu_add_bench(bench_prune TORCH)
