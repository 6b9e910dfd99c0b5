# SVC attack fit + predict on 20 000 one-dimensional confidences (the MIA-Efficacy workload).
mu_add_bench(bench_svc TORCH)
