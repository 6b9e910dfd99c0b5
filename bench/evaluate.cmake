# mu-evaluate's work on a Fashion-MNIST-sized problem: resnet20s inference plus the ten SVC attacks.
mu_add_bench(bench_evaluate TORCH)
