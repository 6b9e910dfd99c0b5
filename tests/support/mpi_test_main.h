#pragma once
// main() for GoogleTest binaries that run on several MPI ranks (tests/support/run_mpi_test.sh).
// Each rank runs every test; afterwards each prints "MU-RANK r/n PASSED" only if its own tests
// passed, and the process exits non-zero if any rank failed.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

inline int runMpiGoogleTests(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank != 0) {
    // Keep rank 0's report readable: other ranks print only failures and their status line.
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int localFailed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int anyFailed = 0;
  MPI_Allreduce(&localFailed, &anyFailed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (!localFailed) std::printf("MU-RANK %d/%d PASSED\n", rank, size);
  std::fflush(stdout);
  MPI_Finalize();
  return anyFailed;
}

#define MU_MPI_TEST_MAIN()                \
  int main(int argc, char** argv) {       \
    return runMpiGoogleTests(argc, argv); \
  }
