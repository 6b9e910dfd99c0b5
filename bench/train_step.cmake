# Training-step throughput of our loop (compared with PyTorch by bench/compare_train_step.sh).
mu_add_bench(bench_train_step TORCH)
