// Built when MPI is off: distributed runs are refused with an explanation.
#include "harness/engine/distributed.hpp"
#include "harness/core/error.hpp"

namespace mb {

bool built_with_mpi() { return false; }

DistributedResult run_plan_distributed(const RunPlan&, const RunOptions&, const std::string&, const std::string&) {
  throw Error("run: started by mpirun with " + std::to_string(launcher_world_size()) +
              " ranks, but this muonbench was built without MPI; install libopenmpi-dev and rebuild "
              "(cmake -DMUONBENCH_MPI=ON), or run without mpirun");
}

}  // namespace mb
