# mu-campaign: spec errors, pinned manifest hashes, shared stages, sbatch quoting, the report,
# and the local runner on a tiny train + prune campaign (also resumed after an interruption).
mu_add_gtest(campaign_test)
set_tests_properties(campaign_test PROPERTIES PROCESSORS 2 TIMEOUT 900)
add_dependencies(campaign_test mu-campaign mu-data mu-train mu-prune)

# The same campaign through a real single-node Slurm cluster (tests/slurm/slurm_up.sh starts it
# from Debian's packages, slurm_down.sh stops it): sbatch arrays, dependencies, a cancelled task
# resubmitted, USR1 -> checkpoint -> requeue. Needs root (it installs and starts daemons); skipped
# (exit 77) otherwise. One cluster per machine: never in parallel with itself.
add_test(NAME campaign_slurm_test
         COMMAND ${PROJECT_SOURCE_DIR}/tests/slurm/campaign_slurm_test.sh ${CMAKE_BINARY_DIR}/bin)
set_tests_properties(campaign_slurm_test PROPERTIES LABELS slurm RESOURCE_LOCK slurm_cluster
                                                    PROCESSORS 2 TIMEOUT 900 SKIP_RETURN_CODE 77)
